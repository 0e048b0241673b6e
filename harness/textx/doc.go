// Package textx holds the few ways imagegate shortens text for one-line
// messages: the first or last line of a command's output, and a long
// message clipped. Several packages had their own firstLine or lastLine,
// each trimming (or not) a little differently; these say exactly what they
// return, so a caller picks one knowingly.
package textx
