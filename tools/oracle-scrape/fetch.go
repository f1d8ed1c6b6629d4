package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"sort"

	"gotrace-tui/tools/scrapefetch"
)

// fetcher and pageError are the shared HTTP side (tools/scrapefetch).
type (
	fetcher   = scrapefetch.Fetcher
	pageError = scrapefetch.PageError
)

func newFetcher(base string) (*fetcher, error) { return scrapefetch.New(base) }

// writeJSON writes v as indented JSON (struct fields are declared in key
// order, maps are sorted by encoding/json), without HTML escaping.
func writeJSON(path string, v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	return writeFile(path, b)
}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// queryParam returns the (decoded) value of a query parameter of a link.
func queryParam(href, key string) (string, bool) {
	u, err := url.Parse(href)
	if err != nil {
		return "", false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", false
	}
	vs, ok := q[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
