// Package remote holds the one small contract shared by everything that runs
// commands inside a guest: a Runner executes a shell command and returns its
// Result. sshx implements it over SSH; unit tests implement it with fakes.
package remote
