package main

// A tiny reader and writer for the pprof profile.proto messages that
// `go tool trace -pprof=TYPE` writes (internal/trace/traceviewer.BuildProfile):
// sample types, samples, locations with one line each, functions, period.
// Mappings and labels are not produced by cmd/trace and are rejected.

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

type pbValueType struct{ typ, unit int64 }

type pbLine struct {
	function uint64
	line     int64
	column   int64
}

type pbLocation struct {
	id, mappingID, address uint64
	lines                  []pbLine
	isFolded               bool
}

type pbFunction struct {
	id                         uint64
	name, systemName, filename int64
	startLine                  int64
}

type pbSample struct {
	locations []uint64
	values    []int64
}

type pbProfile struct {
	sampleTypes   []pbValueType
	samples       []pbSample
	locations     []pbLocation
	functions     []pbFunction
	strings       []string
	dropFrames    int64
	keepFrames    int64
	timeNanos     int64
	durationNanos int64
	periodType    *pbValueType
	period        int64
	comments      []int64
	defaultSample int64
}

type pbReader struct {
	b   []byte
	err error
}

func (r *pbReader) varint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errors.New("bad varint")
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

// next returns the next field number and wire type, and for wire type 2 the payload.
func (r *pbReader) next() (field int, wire int, val uint64, payload []byte, ok bool) {
	if len(r.b) == 0 || r.err != nil {
		return 0, 0, 0, nil, false
	}
	key := r.varint()
	field, wire = int(key>>3), int(key&7)
	switch wire {
	case 0:
		val = r.varint()
	case 1:
		if len(r.b) < 8 {
			r.err = errors.New("short fixed64")
			return 0, 0, 0, nil, false
		}
		val = binary.LittleEndian.Uint64(r.b)
		r.b = r.b[8:]
	case 2:
		n := r.varint()
		if uint64(len(r.b)) < n {
			r.err = errors.New("short length-delimited field")
			return 0, 0, 0, nil, false
		}
		payload = r.b[:n]
		r.b = r.b[n:]
	case 5:
		if len(r.b) < 4 {
			r.err = errors.New("short fixed32")
			return 0, 0, 0, nil, false
		}
		val = uint64(binary.LittleEndian.Uint32(r.b))
		r.b = r.b[4:]
	default:
		r.err = fmt.Errorf("unsupported wire type %d", wire)
		return 0, 0, 0, nil, false
	}
	return field, wire, val, payload, r.err == nil
}

// repeatedUints handles both packed (wire 2) and unpacked (wire 0) encodings.
func repeatedUints(wire int, val uint64, payload []byte) ([]uint64, error) {
	if wire == 0 {
		return []uint64{val}, nil
	}
	if wire != 2 {
		return nil, errors.New("bad wire type for a repeated integer")
	}
	r := &pbReader{b: payload}
	var out []uint64
	for len(r.b) > 0 && r.err == nil {
		out = append(out, r.varint())
	}
	return out, r.err
}

func decodeValueType(b []byte) (pbValueType, error) {
	var vt pbValueType
	r := &pbReader{b: b}
	for {
		f, _, v, _, ok := r.next()
		if !ok {
			break
		}
		switch f {
		case 1:
			vt.typ = int64(v)
		case 2:
			vt.unit = int64(v)
		}
	}
	return vt, r.err
}

func decodeProfile(data []byte) (*pbProfile, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, err
		}
	}
	p := &pbProfile{}
	r := &pbReader{b: data}
	for {
		f, wire, v, payload, ok := r.next()
		if !ok {
			break
		}
		switch f {
		case 1:
			vt, err := decodeValueType(payload)
			if err != nil {
				return nil, err
			}
			p.sampleTypes = append(p.sampleTypes, vt)
		case 2:
			var s pbSample
			sr := &pbReader{b: payload}
			for {
				sf, sw, sv, sp, ok := sr.next()
				if !ok {
					break
				}
				switch sf {
				case 1:
					ids, err := repeatedUints(sw, sv, sp)
					if err != nil {
						return nil, err
					}
					s.locations = append(s.locations, ids...)
				case 2:
					vs, err := repeatedUints(sw, sv, sp)
					if err != nil {
						return nil, err
					}
					for _, x := range vs {
						s.values = append(s.values, int64(x))
					}
				case 3:
					return nil, errors.New("sample labels are not supported")
				}
			}
			if sr.err != nil {
				return nil, sr.err
			}
			p.samples = append(p.samples, s)
		case 3:
			return nil, errors.New("mappings are not supported")
		case 4:
			var l pbLocation
			lr := &pbReader{b: payload}
			for {
				lf, _, lv, lp, ok := lr.next()
				if !ok {
					break
				}
				switch lf {
				case 1:
					l.id = lv
				case 2:
					l.mappingID = lv
				case 3:
					l.address = lv
				case 4:
					var ln pbLine
					nr := &pbReader{b: lp}
					for {
						nf, _, nv, _, ok := nr.next()
						if !ok {
							break
						}
						switch nf {
						case 1:
							ln.function = nv
						case 2:
							ln.line = int64(nv)
						case 3:
							ln.column = int64(nv)
						}
					}
					if nr.err != nil {
						return nil, nr.err
					}
					l.lines = append(l.lines, ln)
				case 5:
					l.isFolded = lv != 0
				}
			}
			if lr.err != nil {
				return nil, lr.err
			}
			if l.mappingID != 0 {
				return nil, errors.New("mappings are not supported")
			}
			p.locations = append(p.locations, l)
		case 5:
			var fn pbFunction
			fr := &pbReader{b: payload}
			for {
				ff, _, fv, _, ok := fr.next()
				if !ok {
					break
				}
				switch ff {
				case 1:
					fn.id = fv
				case 2:
					fn.name = int64(fv)
				case 3:
					fn.systemName = int64(fv)
				case 4:
					fn.filename = int64(fv)
				case 5:
					fn.startLine = int64(fv)
				}
			}
			if fr.err != nil {
				return nil, fr.err
			}
			p.functions = append(p.functions, fn)
		case 6:
			p.strings = append(p.strings, string(payload))
		case 7:
			p.dropFrames = int64(v)
		case 8:
			p.keepFrames = int64(v)
		case 9:
			p.timeNanos = int64(v)
		case 10:
			p.durationNanos = int64(v)
		case 11:
			vt, err := decodeValueType(payload)
			if err != nil {
				return nil, err
			}
			p.periodType = &vt
		case 12:
			p.period = int64(v)
		case 13:
			cs, err := repeatedUints(wire, v, payload)
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				p.comments = append(p.comments, int64(c))
			}
		case 14:
			p.defaultSample = int64(v)
		default:
			return nil, fmt.Errorf("unsupported profile field %d", f)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(p.strings) == 0 || p.strings[0] != "" {
		return nil, errors.New("string table must start with \"\"")
	}
	return p, nil
}

func (p *pbProfile) str(i int64) (string, error) {
	if i < 0 || i >= int64(len(p.strings)) {
		return "", fmt.Errorf("string index %d out of range", i)
	}
	return p.strings[i], nil
}

// resolved is a profile with ids and string indexes resolved.
type resolvedSample struct {
	frames []string // "func file:line", leaf first
	addrs  []uint64
	locs   []*pbLocation
	values []int64
}

type resolvedProfile struct {
	p           *pbProfile
	sampleTypes []string // "type/unit"
	samples     []resolvedSample
	funcByID    map[uint64]*pbFunction
}

func resolveProfile(p *pbProfile) (*resolvedProfile, error) {
	rp := &resolvedProfile{p: p, funcByID: map[uint64]*pbFunction{}}
	for _, vt := range p.sampleTypes {
		t, err1 := p.str(vt.typ)
		u, err2 := p.str(vt.unit)
		if err := cmp.Or(err1, err2); err != nil {
			return nil, err
		}
		rp.sampleTypes = append(rp.sampleTypes, t+"/"+u)
	}
	for i := range p.functions {
		rp.funcByID[p.functions[i].id] = &p.functions[i]
	}
	locByID := map[uint64]*pbLocation{}
	for i := range p.locations {
		locByID[p.locations[i].id] = &p.locations[i]
	}
	for _, s := range p.samples {
		rs := resolvedSample{values: s.values}
		for _, id := range s.locations {
			l := locByID[id]
			if l == nil {
				return nil, fmt.Errorf("unknown location %d", id)
			}
			rs.locs = append(rs.locs, l)
			rs.addrs = append(rs.addrs, l.address)
			if len(l.lines) == 0 {
				rs.frames = append(rs.frames, "0x"+strconv.FormatUint(l.address, 16))
			}
			for _, ln := range l.lines {
				fn := rp.funcByID[ln.function]
				if fn == nil {
					return nil, fmt.Errorf("unknown function %d", ln.function)
				}
				name, err1 := p.str(fn.name)
				file, err2 := p.str(fn.filename)
				if err := cmp.Or(err1, err2); err != nil {
					return nil, err
				}
				rs.frames = append(rs.frames, fmt.Sprintf("%s %s:%d", name, file, ln.line))
			}
		}
		rp.samples = append(rp.samples, rs)
	}
	// Canonical order: by stack text, then addresses, then values.
	slices.SortStableFunc(rp.samples, func(a, b resolvedSample) int {
		return cmp.Or(slices.Compare(a.frames, b.frames), slices.Compare(a.addrs, b.addrs), slices.Compare(a.values, b.values))
	})
	return rp, nil
}

// pbWriter encodes protobuf fields.
type pbWriter struct{ b []byte }

func (w *pbWriter) key(field, wire int) {
	w.b = binary.AppendUvarint(w.b, uint64(field)<<3|uint64(wire))
}
func (w *pbWriter) uint(field int, v uint64) {
	if v == 0 {
		return
	}
	w.key(field, 0)
	w.b = binary.AppendUvarint(w.b, v)
}
func (w *pbWriter) int(field int, v int64) { w.uint(field, uint64(v)) }
func (w *pbWriter) bytes(field int, b []byte) {
	w.key(field, 2)
	w.b = binary.AppendUvarint(w.b, uint64(len(b)))
	w.b = append(w.b, b...)
}
func (w *pbWriter) packed(field int, vs []uint64) {
	if len(vs) == 0 {
		return
	}
	var inner []byte
	for _, v := range vs {
		inner = binary.AppendUvarint(inner, v)
	}
	w.bytes(field, inner)
}

// canonical re-encodes the profile with samples in canonical order, locations
// and functions renumbered by first use and a rebuilt string table, so that
// equal profiles give equal bytes (cmd/trace emits samples in map order).
func (rp *resolvedProfile) canonical() ([]byte, error) {
	p := rp.p
	strs := []string{""}
	strIdx := map[string]int64{"": 0}
	intern := func(i int64) (int64, error) {
		s, err := p.str(i)
		if err != nil {
			return 0, err
		}
		if j, ok := strIdx[s]; ok {
			return j, nil
		}
		strIdx[s] = int64(len(strs))
		strs = append(strs, s)
		return int64(len(strs) - 1), nil
	}
	valueType := func(vt pbValueType) ([]byte, error) {
		t, err1 := intern(vt.typ)
		u, err2 := intern(vt.unit)
		if err := cmp.Or(err1, err2); err != nil {
			return nil, err
		}
		var w pbWriter
		w.int(1, t)
		w.int(2, u)
		return w.b, nil
	}
	var out pbWriter
	for _, vt := range p.sampleTypes {
		b, err := valueType(vt)
		if err != nil {
			return nil, err
		}
		out.bytes(1, b)
	}
	locID := map[*pbLocation]uint64{}
	var locOrder []*pbLocation
	for _, s := range rp.samples {
		var ids []uint64
		for _, l := range s.locs {
			id, ok := locID[l]
			if !ok {
				id = uint64(len(locOrder) + 1)
				locID[l] = id
				locOrder = append(locOrder, l)
			}
			ids = append(ids, id)
		}
		var w pbWriter
		w.packed(1, ids)
		vals := make([]uint64, len(s.values))
		for i, v := range s.values {
			vals[i] = uint64(v)
		}
		w.packed(2, vals)
		out.bytes(2, w.b)
	}
	for i := range p.locations { // unreferenced locations keep their relative order
		if _, ok := locID[&p.locations[i]]; !ok {
			locID[&p.locations[i]] = uint64(len(locOrder) + 1)
			locOrder = append(locOrder, &p.locations[i])
		}
	}
	funcID := map[uint64]uint64{} // old id -> new id
	var funcOrder []*pbFunction
	useFunc := func(old uint64) uint64 {
		if id, ok := funcID[old]; ok {
			return id
		}
		id := uint64(len(funcOrder) + 1)
		funcID[old] = id
		funcOrder = append(funcOrder, rp.funcByID[old])
		return id
	}
	for _, l := range locOrder {
		var w pbWriter
		w.uint(1, locID[l])
		w.uint(3, l.address)
		for _, ln := range l.lines {
			var lw pbWriter
			lw.uint(1, useFunc(ln.function))
			lw.int(2, ln.line)
			lw.int(3, ln.column)
			w.bytes(4, lw.b)
		}
		if l.isFolded {
			w.uint(5, 1)
		}
		out.bytes(4, w.b)
	}
	for i := range p.functions {
		useFunc(p.functions[i].id)
	}
	for _, fn := range funcOrder {
		var w pbWriter
		w.uint(1, funcID[fn.id])
		for _, f := range []struct {
			n int
			v int64
		}{{2, fn.name}, {3, fn.systemName}, {4, fn.filename}} {
			j, err := intern(f.v)
			if err != nil {
				return nil, err
			}
			w.int(f.n, j)
		}
		w.int(5, fn.startLine)
		out.bytes(5, w.b)
	}
	for _, f := range []struct {
		n int
		v int64
	}{{7, p.dropFrames}, {8, p.keepFrames}} {
		j, err := intern(f.v)
		if err != nil {
			return nil, err
		}
		out.int(f.n, j)
	}
	out.int(9, p.timeNanos)
	out.int(10, p.durationNanos)
	if p.periodType != nil {
		b, err := valueType(*p.periodType)
		if err != nil {
			return nil, err
		}
		out.bytes(11, b)
	}
	out.int(12, p.period)
	var cs []uint64
	for _, c := range p.comments {
		j, err := intern(c)
		if err != nil {
			return nil, err
		}
		cs = append(cs, uint64(j))
	}
	out.packed(13, cs)
	if p.defaultSample != 0 {
		j, err := intern(p.defaultSample)
		if err != nil {
			return nil, err
		}
		out.int(14, j)
	}
	for _, s := range strs {
		out.bytes(6, []byte(s))
	}
	return out.b, nil
}

// pprof/<type>.json
type pprofFile struct {
	Empty        bool          `json:"empty"`
	Samples      []pprofSample `json:"samples"`
	TotalCount   int64         `json:"total_count"`
	TotalDelayNs int64         `json:"total_delay_ns"`
}

type pprofSample struct {
	Count   int64    `json:"count"`
	DelayNs int64    `json:"delay_ns"`
	Stack   []string `json:"stack"` // "func file:line", leaf first
}

func (rp *resolvedProfile) summary() (*pprofFile, error) {
	if !slices.Equal(rp.sampleTypes, []string{"contentions/count", "delay/nanoseconds"}) {
		return nil, fmt.Errorf("unexpected sample types %q", rp.sampleTypes)
	}
	out := &pprofFile{Samples: []pprofSample{}}
	for _, s := range rp.samples {
		if len(s.values) != 2 {
			return nil, fmt.Errorf("sample with %d values", len(s.values))
		}
		st := s.frames
		if st == nil {
			st = []string{}
		}
		out.Samples = append(out.Samples, pprofSample{Count: s.values[0], DelayNs: s.values[1], Stack: st})
		out.TotalCount += s.values[0]
		out.TotalDelayNs += s.values[1]
	}
	out.Empty = len(out.Samples) == 0
	return out, nil
}
