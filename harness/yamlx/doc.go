// Package yamlx is imagegate's one strict reader of YAML input files (the
// matrix, profiles, the gate policy). Each used to parse its file its own
// way, and they disagreed on an empty file, a second document and how an
// error points at the input; here every file is read the same way: exactly
// one document, no unknown keys, and errors that start with the file and
// name the line (and, where it can be found, the key).
package yamlx
