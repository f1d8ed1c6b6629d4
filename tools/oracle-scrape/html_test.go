package main

import (
	"strings"
	"testing"
)

func TestDecodeEntities(t *testing.T) {
	for in, want := range map[string]string{
		"a &amp; b":                          "a & b",
		"&#34;x&#34; &lt;y&gt; &#43; &#x41;": `"x" <y> + A`,
		"/u?type=a&complete=true&latmin=1":   "/u?type=a&complete=true&latmin=1", // no ';': left alone
		"&latmax=2&lt=3":                     "&latmax=2&lt=3",
		"&unknownentity; &":                  "&unknownentity; &",
	} {
		if got := decodeEntities(in); got != want {
			t.Errorf("decodeEntities(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseHTMLTables(t *testing.T) {
	// Shaped like cmd/trace's pages: nested histogram table, unquoted href
	// with raw '&', <pre> with <br>, white space kept in cells.
	page := `<!DOCTYPE html><style>td { x: "<"; }</style>
<table border="1"><tr><th>Type</th><th>Count</th><th>Hist</th></tr>
<tr><td><pre>&#34;a &amp; b&#34;<br>f @ 0x1<br>a.go:3</pre></td><td><a href="/u?type=a%20%26%20b&amp;pc=1">2</a></td>
<td><table><tr><td class="histoTime" align="right"><a href=/u?type=a+%26+b&complete=true&latmin=1%C2%B5s&latmax=2%C2%B5s>1µs</a></td><td><div>&nbsp;</div></td><td align="right"><div>2</div></td></tr>
<tr><td align="right">2µs</td></tr></table></td></tr>
<tr><td class="elapsed"> .  3405888</td><td>x</td><td></td></tr>
</table>`
	doc := parseHTML(page)
	tables := doc.findAll(byTag("table"))
	if len(tables) != 2 {
		t.Fatalf("%d tables", len(tables))
	}
	rows := tables[0].rows()
	if len(rows) != 3 {
		t.Fatalf("%d outer rows", len(rows))
	}
	if got := strings.Join(cellTexts(rows[0]), "|"); got != "Type|Count|Hist" {
		t.Errorf("header %q", got)
	}
	c := rows[1].cells()
	href := c[1].first(byTag("a")).attrs["href"]
	if typ, _ := queryParam(href, "type"); typ != "a & b" {
		t.Errorf("type from %q = %q", href, typ)
	}
	if pc, _ := queryParam(href, "pc"); pc != "1" {
		t.Errorf("pc = %q", pc)
	}
	if got := c[0].textContent(); got != `"a & b"f @ 0x1a.go:3` {
		t.Errorf("pre text %q", got)
	}
	h, ok := parseHistogram(&fetcher{}, "", c[2])
	if !ok || len(h.Buckets) != 1 || h.Buckets[0].MinNs != 1000 || h.Buckets[0].Count != 2 || h.EndNs != 2000 {
		t.Errorf("histogram %+v", h)
	}
	inner := c[2].first(byTag("a")).attrs["href"]
	if lat, _ := queryParam(inner, "latmin"); lat != "1µs" {
		t.Errorf("unquoted href %q: latmin %q", inner, lat)
	}
	if got := rows[2].cells()[0].textContent(); got != " .  3405888" {
		t.Errorf("white space not kept: %q", got)
	}
	if v, err := parseElapsed(rows[2].cells()[0].textContent()); err != nil || v != 3405888 {
		t.Errorf("elapsed %d %v", v, err)
	}
}
