// Package extsuite reads external suites: a folder outside imagegate with
// a suite.yaml manifest and a checks/ folder of executables, one check
// each. A SIG keeps its tests in its own repository, as plain shell, and
// runs them with `imagegate run --suite-dir DIR`, without Go and without
// rebuilding imagegate (as kola's external tests and tmt's shell tests).
//
// The package only reads and validates the folder; it knows nothing of
// Ginkgo or guests. The framework turns a Suite into specs, and the
// runner validates every folder before anything boots, so a bad manifest
// is a usage error (file:line: key: what is wrong) and not a red run.
//
// A Suite carries a digest of everything it read: the plan records it and
// the process that runs the target refuses a folder that changed since,
// so a report always names the checks that actually ran.
package extsuite
