package junitread

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

type xmlSuites struct {
	XMLName xml.Name   `xml:"testsuites"`
	Suites  []xmlSuite `xml:"testsuite"`
}

type xmlSuite struct {
	Name       string        `xml:"name,attr"`
	Tests      string        `xml:"tests,attr"`
	Failures   string        `xml:"failures,attr"`
	Errors     string        `xml:"errors,attr"`
	Timestamp  string        `xml:"timestamp,attr"`
	Time       string        `xml:"time,attr"`
	Properties []xmlProperty `xml:"properties>property"`
	Cases      []xmlCase     `xml:"testcase"`
	Nested     []xmlSuite    `xml:"testsuite"`
}

type xmlProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type xmlCase struct {
	Name      string     `xml:"name,attr"`
	Classname string     `xml:"classname,attr"`
	Time      string     `xml:"time,attr"`
	Failure   *xmlResult `xml:"failure"`
	Error     *xmlResult `xml:"error"`
	Skipped   *xmlResult `xml:"skipped"`
	SystemOut []string   `xml:"system-out"`
	SystemErr []string   `xml:"system-err"`
}

type xmlResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Data    string `xml:",chardata"`
}

// ReadFile reads one junit.xml. Every problem is an error naming the file.
func ReadFile(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse reads junit.xml content; file names it in errors and provenance.
func Parse(file string, data []byte) (*Report, error) {
	doc, err := decodeStrict(data)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w (truncated or not a junit.xml?)", file, err)
	}
	if len(doc.Suites) == 0 {
		return nil, fmt.Errorf("report %s: no <testsuite> in it", file)
	}
	r := &Report{File: file}
	seen := map[string]bool{}
	for i, s := range doc.Suites {
		t, err := toTarget(file, s)
		if err != nil {
			return nil, fmt.Errorf("report %s: testsuite %d (%q): %w", file, i+1, s.Name, err)
		}
		if seen[t.ID()] {
			return nil, fmt.Errorf("report %s: target %s appears twice", file, t.ID())
		}
		seen[t.ID()] = true
		r.Targets = append(r.Targets, t)
	}
	return r, nil
}

// decodeStrict decodes the document and insists that nothing but white
// space, comments and processing instructions follows its root element.
func decodeStrict(data []byte) (*xmlSuites, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file")
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var doc xmlSuites
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return &doc, nil
		}
		if err != nil {
			return nil, err
		}
		switch v := tok.(type) {
		case xml.Comment, xml.ProcInst:
		case xml.CharData:
			if strings.TrimSpace(string(v)) != "" {
				return nil, errors.New("text after </testsuites>")
			}
		default:
			return nil, errors.New("content after </testsuites>")
		}
	}
}
