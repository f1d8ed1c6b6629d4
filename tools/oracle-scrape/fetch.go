package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// fetcher talks to one `go tool trace -http=127.0.0.1:0` server. It never uses
// a proxy and only talks to loopback addresses.
type fetcher struct {
	base   *url.URL
	client *http.Client
	errs   []pageError
}

// pageError is a page that Go did not serve (non-200, or a transport error),
// or that did not look as expected. Recorded in errors.json.
type pageError struct {
	Error  string `json:"error"`
	Page   string `json:"page"`
	Status int    `json:"status"`
}

func newFetcher(base string) (*fetcher, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("refusing non-loopback server address %q", base)
	}
	tr := &http.Transport{
		Proxy:              nil,
		DisableCompression: true,
		DialContext:        (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
	}
	return &fetcher{base: u, client: &http.Client{Transport: tr, Timeout: 10 * time.Minute}}, nil
}

// get fetches a path+query relative to the server ("/goroutines",
// "/goroutine?name=..."). It returns the body and true on HTTP 200; otherwise
// it records the error and returns false.
func (f *fetcher) get(ref string) ([]byte, bool) {
	u, err := f.base.Parse(ref)
	if err != nil {
		f.fail(ref, 0, "bad link: "+err.Error())
		return nil, false
	}
	if u.Host != f.base.Host {
		f.fail(ref, 0, "link leaves the server")
		return nil, false
	}
	var resp *http.Response
	for attempt := 0; ; attempt++ {
		resp, err = f.client.Get(u.String())
		// The listener is open before the "listening" line is printed, so
		// a refused connection is not expected; retry it briefly anyway.
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || attempt >= 20 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		// Drop the `Get "http://127.0.0.1:PORT/...":` prefix (the port varies).
		msg := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			msg += " (connection closed without a response: the handler panicked)"
		}
		f.fail(ref, 0, msg)
		return nil, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.fail(ref, resp.StatusCode, "reading body: "+err.Error())
		return nil, false
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(body))
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		f.fail(ref, resp.StatusCode, msg)
		return nil, false
	}
	return body, true
}

func (f *fetcher) fail(page string, status int, msg string) {
	f.errs = append(f.errs, pageError{Page: page, Status: status, Error: msg})
}

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
