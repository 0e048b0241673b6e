// Package promote copies an image that passed the gate from the testing
// repository into the production repository, so that the production repo
// is at every instant either unchanged or fully updated.
//
// The production repository:
//
//	PRODUCTION_DIR/
//	  index.json  -> meta/current/index.json   products -> versions -> items
//	  SHA256SUMS  -> meta/current/SHA256SUMS   "<sha256>  <path>" per item
//	  meta/current -> gen-000042               the commit point
//	  meta/gen-000042/{index.json,SHA256SUMS,history.json}  immutable once committed
//	  images/<image>/<version>/<arch>/<file>   immutable once referenced
//	  .lock                                    flock: one promotion at a time
//
// A promotion (under the lock) re-runs the gate, which must say promote,
// checks each arch's file in the testing repo against the image.sha256 its
// reports recorded, copies each into its versioned path (temp file in the
// same folder, fsync, hash compared again, rename, fsync folder), writes a
// new generation's index.json and SHA256SUMS into a new folder (fsync), and
// then switches meta/current to it with one rename(2) of a symbolic link:
// the single commit point. Before it, nothing any committed index refers
// to has changed; after it, everything the new index refers to is in
// place. Leftovers of an interrupted promotion (temp files, an uncommitted
// generation, unreferenced image files) are removed by the next one.
// Promoting the same files again changes nothing and says so.
package promote
