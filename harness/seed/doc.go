// Package seed builds the NoCloud seed that cloud-init reads on first boot of
// a guest under test: an ISO 9660 volume labelled "cidata" holding meta-data,
// user-data and, optionally, network-config at its root.
//
// It works in two steps. Spec.Plan validates a Spec and renders the files as
// data (a Plan), so they can be checked and reported without touching the
// disk; Plan.WriteISO then writes that Plan as an image, atomically. The seed
// only ever carries the public half of the run's SSH key, so Plan.UserData and
// Plan.MetaData are safe to attach to reports as evidence.
//
// The image is written in pure Go with github.com/kdomanski/iso9660. It has
// plain ISO 9660 names only (no Rock Ridge, no Joliet): the identifiers are
// recorded as "meta-data;1" and so on, which Linux's isofs shows as
// "meta-data" under its default map=normal (lowercase, ";1" dropped). File
// names are therefore limited to lowercase letters, digits, '-' and '_', so
// that the name the guest sees is exactly the name in the Plan.
package seed
