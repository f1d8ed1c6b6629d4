package main

// A small, tolerant HTML tokenizer and tree builder: enough for the pages that
// cmd/trace renders with html/template (tables, links, <pre>, nested tables,
// unquoted attribute values in histogram links), standard library only.

import (
	"html"
	"strconv"
	"strings"
)

type node struct {
	tag      string // "" for a text node
	attrs    map[string]string
	text     string // text nodes only; entities decoded, whitespace untouched
	children []*node
	parent   *node
}

var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "param": true,
	"source": true, "track": true, "wbr": true,
}

// rawTextElements have contents that are not parsed as markup.
var rawTextElements = map[string]bool{"script": true, "style": true, "textarea": true, "title": true}

// decodeEntities decodes character references that end with ';' (named or
// numeric). References without the ';' are left alone, as browsers do in
// attribute values (histogram links contain "&latmin=", "&complete=" ...).
func decodeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s, ';')
		ok := false
		if j > 1 && j <= 32 {
			ref := s[:j+1]
			name := s[1:j]
			if name[0] == '#' {
				var v uint64
				var err error
				if len(name) > 1 && (name[1] == 'x' || name[1] == 'X') {
					v, err = strconv.ParseUint(name[2:], 16, 32)
				} else {
					v, err = strconv.ParseUint(name[1:], 10, 32)
				}
				if err == nil {
					b.WriteRune(rune(v))
					ok = true
				}
			} else if isAlnum(name) {
				if dec := html.UnescapeString(ref); dec != ref {
					b.WriteString(dec)
					ok = true
				}
			}
			if ok {
				s = s[j+1:]
			}
		}
		if !ok {
			b.WriteByte('&')
			s = s[1:]
		}
	}
}

func isAlnum(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// parseHTML builds a tree. End tags close the innermost open element with that
// name (unmatched end tags are ignored); <tr>, <td>, <th> implicitly close open
// cells/rows of the same table, as in HTML.
func parseHTML(src string) *node {
	root := &node{tag: "#root"}
	cur := root
	appendChild := func(n *node) {
		n.parent = cur
		cur.children = append(cur.children, n)
	}
	closeTo := func(tag string, stopAt map[string]bool) bool {
		for n := cur; n != nil && n != root; n = n.parent {
			if n.tag == tag {
				cur = n.parent
				return true
			}
			if stopAt[n.tag] {
				return false
			}
		}
		return false
	}
	tableScope := map[string]bool{"table": true}
	rowScope := map[string]bool{"table": true, "tr": true}
	i := 0
	for i < len(src) {
		if src[i] != '<' {
			j := strings.IndexByte(src[i:], '<')
			if j < 0 {
				j = len(src) - i
			}
			appendChild(&node{text: decodeEntities(src[i : i+j])})
			i += j
			continue
		}
		rest := src[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			j := strings.Index(rest[4:], "-->")
			if j < 0 {
				i = len(src)
			} else {
				i += 4 + j + 3
			}
			continue
		case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
			j := strings.IndexByte(rest, '>')
			if j < 0 {
				i = len(src)
			} else {
				i += j + 1
			}
			continue
		case strings.HasPrefix(rest, "</"):
			j := strings.IndexByte(rest, '>')
			if j < 0 {
				i = len(src)
				continue
			}
			name := strings.ToLower(strings.TrimSpace(rest[2:j]))
			i += j + 1
			switch name {
			case "td", "th":
				closeTo(name, rowScope)
			case "tr":
				closeTo(name, tableScope)
			default:
				closeTo(name, nil)
			}
			continue
		}
		// Start tag.
		k := 1
		for k < len(rest) && !isSpace(rest[k]) && rest[k] != '>' && rest[k] != '/' {
			k++
		}
		name := strings.ToLower(rest[1:k])
		if name == "" || !(name[0] >= 'a' && name[0] <= 'z') {
			appendChild(&node{text: "<"})
			i++
			continue
		}
		attrs := map[string]string{}
		selfClosing := false
		for {
			for k < len(rest) && isSpace(rest[k]) {
				k++
			}
			if k >= len(rest) {
				break
			}
			if rest[k] == '>' {
				k++
				break
			}
			if rest[k] == '/' {
				selfClosing = true
				k++
				continue
			}
			a := k
			for k < len(rest) && !isSpace(rest[k]) && rest[k] != '>' && rest[k] != '=' && !(rest[k] == '/' && k+1 < len(rest) && rest[k+1] == '>') {
				k++
			}
			aname := strings.ToLower(rest[a:k])
			for k < len(rest) && isSpace(rest[k]) {
				k++
			}
			val := ""
			if k < len(rest) && rest[k] == '=' {
				k++
				for k < len(rest) && isSpace(rest[k]) {
					k++
				}
				if k < len(rest) && (rest[k] == '"' || rest[k] == '\'') {
					q := rest[k]
					e := strings.IndexByte(rest[k+1:], q)
					if e < 0 {
						val = rest[k+1:]
						k = len(rest)
					} else {
						val = rest[k+1 : k+1+e]
						k += e + 2
					}
				} else {
					b := k
					for k < len(rest) && !isSpace(rest[k]) && rest[k] != '>' {
						k++
					}
					val = rest[b:k]
				}
			}
			if aname != "" {
				if _, dup := attrs[aname]; !dup {
					attrs[aname] = decodeEntities(val)
				}
			}
		}
		i += k
		switch name {
		case "tr":
			closeTo("tr", tableScope)
		case "td", "th":
			closeTo("td", rowScope)
			closeTo("th", rowScope)
		}
		n := &node{tag: name, attrs: attrs}
		appendChild(n)
		if voidElements[name] || selfClosing {
			continue
		}
		if rawTextElements[name] {
			end := strings.Index(strings.ToLower(src[i:]), "</"+name)
			if end < 0 {
				end = len(src) - i
			}
			n.children = append(n.children, &node{text: decodeEntities(src[i : i+end]), parent: n})
			i += end
			continue // the end tag is handled normally (cur is still the parent)
		}
		cur = n
	}
	return root
}

// text returns the concatenated text of n and its descendants, as is.
func (n *node) textContent() string {
	if n.tag == "" {
		return n.text
	}
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		if m.tag == "" {
			b.WriteString(m.text)
			return
		}
		for _, c := range m.children {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// trimmed is textContent with ASCII white space removed at both ends.
func (n *node) trimmed() string { return strings.Trim(n.textContent(), " \t\n\r\f") }

func (n *node) findAll(pred func(*node) bool) []*node {
	var out []*node
	var walk func(*node)
	walk = func(m *node) {
		if pred(m) {
			out = append(out, m)
		}
		for _, c := range m.children {
			walk(c)
		}
	}
	walk(n)
	return out
}

func (n *node) first(pred func(*node) bool) *node {
	if all := n.findAll(pred); len(all) > 0 {
		return all[0]
	}
	return nil
}

func byTag(tag string) func(*node) bool { return func(n *node) bool { return n.tag == tag } }

// childElems returns the direct element children with the given tag (any tag
// if tag == ""). A <tbody>/<thead> child is looked through.
func (n *node) childElems(tag string) []*node {
	var out []*node
	for _, c := range n.children {
		if c.tag == "" {
			continue
		}
		if c.tag == "tbody" || c.tag == "thead" || c.tag == "tfoot" {
			out = append(out, c.childElems(tag)...)
			continue
		}
		if tag == "" || c.tag == tag {
			out = append(out, c)
		}
	}
	return out
}

// rows returns the rows of a table (not of nested tables).
func (n *node) rows() []*node { return n.childElems("tr") }

// cells returns the th/td cells of a row.
func (n *node) cells() []*node {
	var out []*node
	for _, c := range n.childElems("") {
		if c.tag == "td" || c.tag == "th" {
			out = append(out, c)
		}
	}
	return out
}

func (n *node) hasClass(c string) bool {
	for _, f := range strings.Fields(n.attrs["class"]) {
		if f == c {
			return true
		}
	}
	return false
}
