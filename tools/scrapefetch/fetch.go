// Package scrapefetch is the HTTP side shared by the oracle scrapers: it talks to one
// `go tool trace -http=127.0.0.1:0` server and records the pages Go did not serve.
package scrapefetch

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Fetcher talks to one `go tool trace -http=127.0.0.1:0` server. It never uses
// a proxy and only talks to loopback addresses.
type Fetcher struct {
	base   *url.URL
	client *http.Client
	// Errs are the pages that failed, in order (written to errors.json).
	Errs []PageError
}

// PageError is a page that Go did not serve (non-200, empty body, or a
// transport error), or whose content could not be read. Recorded in errors.json.
type PageError struct {
	Error  string `json:"error"`
	Page   string `json:"page"`
	Status int    `json:"status"`
}

// New returns a fetcher for the server at base, which must be a loopback address.
func New(base string) (*Fetcher, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("refusing non-loopback server address %q", base)
	}
	tr := &http.Transport{
		Proxy:              nil,
		DisableCompression: true,
		DialContext:        (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
	}
	return &Fetcher{base: u, client: &http.Client{Transport: tr, Timeout: 10 * time.Minute}}, nil
}

// Get fetches a path+query relative to the server. It returns the body and
// true on HTTP 200; otherwise it records the error and returns false.
func (f *Fetcher) Get(ref string) ([]byte, bool) {
	u, err := f.base.Parse(ref)
	if err != nil {
		f.Fail(ref, 0, "bad link: "+err.Error())
		return nil, false
	}
	if u.Host != f.base.Host || u.Scheme != f.base.Scheme {
		f.Fail(ref, 0, "link leaves the server")
		return nil, false
	}
	var resp *http.Response
	for attempt := 0; ; attempt++ {
		resp, err = f.client.Get(u.String())
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || attempt >= 20 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		msg := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			msg = ue.Err.Error() // drop the varying port
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			msg += " (connection closed without a response: the handler panicked)"
		}
		f.Fail(ref, 0, msg)
		return nil, false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.Fail(ref, resp.StatusCode, "reading body: "+err.Error())
		return nil, false
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(body))
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		f.Fail(ref, resp.StatusCode, msg)
		return nil, false
	}
	return body, true
}

// Fail records that page could not be used: HTTP status (200 if it was served but
// did not look as expected) and why.
func (f *Fetcher) Fail(page string, status int, msg string) {
	f.Errs = append(f.Errs, PageError{Page: page, Status: status, Error: msg})
}
