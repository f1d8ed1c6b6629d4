package main

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"
)

// quoteCases exercises strconv.Quote (what fmt's %q does to a string) on
// every escape class, every IsPrint boundary, a dense sample of runes and a
// systematic sweep of malformed UTF-8.
func quoteCases() string {
	rng := newRand(1)
	var cases [][]byte
	add := func(b []byte) { cases = append(cases, b) }
	runes := func(rs ...rune) []byte {
		var b []byte
		for _, r := range rs {
			b = utf8.AppendRune(b, r)
		}
		return b
	}
	isSurrogate := func(r rune) bool { return 0xD800 <= r && r <= 0xDFFF }

	// Simple and ASCII cases: each byte alone, then all of ASCII at once.
	add(nil)
	add([]byte(`hello, "world" \ back\slash`))
	add([]byte("tab\there\nnewline\r\x00\x07\x08\x0b\x0c\x1b\x7f"))
	var ascii []byte
	for c := 0; c < 0x80; c++ {
		add([]byte{byte(c)})
		ascii = append(ascii, byte(c))
	}
	add(ascii)

	// Every rune below U+0800 (all one- and two-byte encodings), 16 per line.
	for r := rune(0x80); r < 0x800; r += 16 {
		var rs []rune
		for i := range rune(16) {
			rs = append(rs, r+i)
		}
		add(runes(rs...))
	}

	// Both sides of every IsPrint transition, plus the isGraphic list (spaces
	// that Quote escapes even though they are graphic).
	prev := false
	for r := rune(0); r <= utf8.MaxRune; r++ {
		p := strconv.IsPrint(r)
		if p != prev && !isSurrogate(r) && !isSurrogate(r-1) && r > 0 {
			add(runes('a', r-1, r, 'z'))
		}
		prev = p
	}
	add(runes(0xa0, 0x1680, 0x2000, 0x200a, 0x202f, 0x205f, 0x3000, 0xad, 0xfeff, 0xfffd, 0xfffe, 0xffff))
	add(runes(0x10000, 0x1ffff, 0x20000, 0x2ffff, 0xe0000, 0xe0001, 0xe01ef, 0xe01f0, 0xeffff, 0xf0000, 0x10fffd, 0x10ffff))

	// A random sample of valid runes across all planes, mixed with ASCII.
	for range 1200 {
		n := 1 + rng.IntN(5)
		var rs []rune
		for range n {
			var r rune
			switch rng.IntN(4) {
			case 0:
				r = rune(rng.IntN(0x10000))
			case 1:
				r = rune(0x10000 + rng.IntN(0x20000))
			case 2:
				r = rune(rng.IntN(utf8.MaxRune + 1))
			default:
				r = rune(0x20 + rng.IntN(0x60))
			}
			if isSurrogate(r) {
				r = 'x'
			}
			rs = append(rs, r)
		}
		add(runes(rs...))
	}

	// Malformed UTF-8: every non-ASCII byte alone, then every lead byte with
	// interesting second bytes, truncated and completed, so surrogates,
	// overlong forms, values above U+10FFFF and resynchronisation are covered.
	for c := 0x80; c <= 0xFF; c++ {
		add([]byte{byte(c), 'a', byte(c)})
	}
	seconds := []byte{0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF}
	for lead := 0xC0; lead <= 0xFF; lead++ {
		for _, s := range seconds {
			l, s := byte(lead), s
			var b []byte
			for _, seq := range [][]byte{{l, s}, {l, s, 0x80}, {l, s, 0x80, 0x80}, {l, s, 0xBF, 0xBF}, {l, s, 0x80, 'x', 0x80}} {
				b = append(b, seq...)
				b = append(b, '|')
			}
			add(b)
		}
	}
	// Random byte soup, biased towards high bytes and fragments of valid runes.
	for range 1500 {
		n := rng.IntN(16)
		var b []byte
		for range n {
			switch rng.IntN(5) {
			case 0:
				b = append(b, byte(rng.IntN(0x80)))
			case 1, 2:
				b = append(b, byte(0x80+rng.IntN(0x80)))
			case 3:
				enc := utf8.AppendRune(nil, rune(rng.IntN(utf8.MaxRune+1)))
				b = append(b, enc[:rng.IntN(len(enc))+1]...)
			default:
				b = append(b, byte(rng.IntN(0x100)))
			}
		}
		add(b)
	}

	var out strings.Builder
	out.WriteString(header("strconv.Quote on arbitrary byte strings",
		"Lines are `HEX<TAB>QUOTED`: the input bytes in hex, then strconv.Quote of them."))
	for _, c := range cases {
		out.WriteString(hex.EncodeToString(c))
		out.WriteByte('\t')
		out.WriteString(strconv.Quote(string(c)))
		out.WriteByte('\n')
	}
	return out.String()
}
