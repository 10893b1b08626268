package veriff

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// The decoding half of decodeLenient: each value is read once, along its
// type's plan, straight into memory. value reports whether the JSON value
// fitted; the caller zeroes what did not. A value that does not fit is
// still validated (skipped).

// value decodes the value at the read offset into ptr, of p's type.
func (d *decoder) value(p *plan, ptr unsafe.Pointer) bool {
	c := d.peek()
	switch p.kind {
	case kStruct:
		if c == '{' {
			d.object(p, ptr)
			return true
		}
	case kString:
		if c == '"' {
			*(*string)(ptr) = d.text()
			return true
		}
	case kFlexStr:
		switch {
		case c == '"':
			*(*string)(ptr) = d.text()
			return true
		case c == '-' || '0' <= c && c <= '9':
			*(*string)(ptr) = string(d.number())
			return true
		}
	case kPointer:
		if c != 'n' {
			return d.pointer(p, ptr)
		}
	case kSlice:
		if c == '[' {
			d.slice(p, ptr)
			return true
		}
	case kMap:
		if c == '{' {
			d.mapValue(p, ptr)
			return true
		}
	case kBool:
		if c == 't' || c == 'f' {
			*(*bool)(ptr) = c == 't'
			if c == 't' {
				d.literal("true")
			} else {
				d.literal("false")
			}
			return true
		}
	case kInt, kUint, kFloat:
		if c == '-' || '0' <= c && c <= '9' {
			return setNumber(p, ptr, d.number())
		}
	default:
		return d.special(p, ptr)
	}
	if c == 'n' {
		d.literal("null")
		switch p.kind {
		case kPointer, kSlice, kMap:
			p.zero(ptr)
		}
		return true
	}
	d.skip()
	return false
}

// special decodes the kinds whose value is first validated as a whole.
func (d *decoder) special(p *plan, ptr unsafe.Pointer) bool {
	start := d.i
	d.skip()
	if d.failed {
		return false
	}
	b := d.data[start:d.i:d.i]
	switch p.kind {
	case kTime:
		if b[0] == 'n' {
			return true
		}
		t, ok := quickTime(b)
		if !ok {
			t, ok = flexTime(b)
		}
		*(*time.Time)(ptr) = t
		return ok
	case kRaw:
		if !d.copied {
			b = bytes.Clone(b)
		}
		*(*json.RawMessage)(ptr) = b
		return true
	case kNumber:
		return setJSONNumber(b, (*json.Number)(ptr))
	case kMethod:
		return p.method(b, ptr) == nil
	}
	return json.Unmarshal(b, reflect.NewAt(p.typ, ptr).Interface()) == nil
}

// quickTime reads an RFC 3339 time written without escapes or spaces, the
// first layout flexTime tries.
func quickTime(b []byte) (time.Time, bool) {
	if len(b) < 2 || b[0] != '"' || bytes.IndexByte(b, '\\') >= 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, str0(b[1:len(b)-1]))
	return t, err == nil
}

// setJSONNumber decodes a json.Number: a number as written, or a string
// holding one.
func setJSONNumber(b []byte, n *json.Number) bool {
	switch {
	case b[0] == 'n':
		return true
	case b[0] == '"':
		d := decoder{data: b}
		s := d.text()
		if !validNumber([]byte(s)) {
			return false
		}
		*n = json.Number(s)
		return true
	case b[0] == '-' || '0' <= b[0] && b[0] <= '9':
		*n = json.Number(b)
		return true
	}
	return false
}

// setNumber stores a JSON number into an integer or float, as encoding/json
// would: integers take whole numbers in range only.
func setNumber(p *plan, ptr unsafe.Pointer, b []byte) bool {
	if b == nil {
		return false
	}
	bits := int(p.size * 8)
	switch p.kind {
	case kInt:
		n, ok := parseInt(b)
		if !ok || bits < 64 && (n < -1<<(bits-1) || n >= 1<<(bits-1)) {
			return false
		}
		switch bits {
		case 8:
			*(*int8)(ptr) = int8(n)
		case 16:
			*(*int16)(ptr) = int16(n)
		case 32:
			*(*int32)(ptr) = int32(n)
		default:
			*(*int64)(ptr) = n
		}
	case kUint:
		n, err := strconv.ParseUint(str0(b), 10, bits)
		if err != nil {
			return false
		}
		reflect.NewAt(p.typ, ptr).Elem().SetUint(n)
	default:
		x, err := strconv.ParseFloat(str0(b), bits)
		if err != nil {
			return false
		}
		if bits == 32 {
			*(*float32)(ptr) = float32(x)
		} else {
			*(*float64)(ptr) = x
		}
	}
	return true
}

// parseInt is strconv.ParseInt(b, 10, 64) with a loop for short numbers.
func parseInt(b []byte) (int64, bool) {
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		n, err := strconv.ParseInt(str0(b), 10, 64)
		return n, err == nil
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// pointer decodes a non-null value through a pointer, allocating its
// target unless there is one; a value that does not fit leaves it nil.
func (d *decoder) pointer(p *plan, ptr unsafe.Pointer) bool {
	target := *(*unsafe.Pointer)(ptr)
	if target == nil {
		target = reflect.New(p.elem.typ).UnsafePointer()
	}
	if !d.value(p.elem, target) {
		*(*unsafe.Pointer)(ptr) = nil
		return false
	}
	*(*unsafe.Pointer)(ptr) = target
	return true
}

// object decodes a JSON object into a struct, member by member; then sets
// Raw and calls afterDecode.
func (d *decoder) object(p *plan, ptr unsafe.Pointer) {
	start := d.i
	var scratch [64]byte
	d.container('}', func() {
		key := d.key(scratch[:0])
		if d.failed {
			return
		}
		f := p.field(key)
		if f == nil {
			d.skip()
			return
		}
		fp := unsafe.Add(ptr, f.off)
		if !d.value(f.p, fp) {
			f.p.zero(fp)
		}
	})
	if d.failed {
		return
	}
	obj := d.data[start:d.i:d.i]
	if p.raw != 0 {
		*(*json.RawMessage)(unsafe.Add(ptr, p.raw-1)) = obj
	}
	if p.after {
		reflect.NewAt(p.typ, ptr).Interface().(afterDecoder).afterDecode(obj)
	}
}

// key reads a member's key and the ':' after it; the key is unescaped
// into buf when it has escapes.
func (d *decoder) key(buf []byte) []byte {
	if d.peek() != '"' {
		d.fail()
		return nil
	}
	raw, special := d.str()
	if special && (hasEscape(raw) || !utf8.Valid(raw)) {
		raw = append(buf, unquote(raw)...)
	}
	d.colon()
	return raw
}

// slice decodes a JSON array element by element: an element that does not
// fit is zeroed, or dropped when it should have been an object.
func (d *decoder) slice(p *plan, ptr unsafe.Pointer) {
	sv := reflect.NewAt(p.typ, ptr).Elem()
	n, size := 0, p.elem.size
	d.container(']', func() {
		if n >= sv.Cap() {
			sv.Grow(1)
		}
		if n >= sv.Len() {
			sv.SetLen(n + 1)
		}
		ep := unsafe.Add(sv.UnsafePointer(), uintptr(n)*size)
		if d.value(p.elem, ep) {
			n++
			return
		}
		p.elem.zero(ep)
		if !p.elem.block {
			n++
		}
	})
	if n < sv.Len() {
		sv.SetLen(n)
	}
	if n == 0 {
		sv.Set(reflect.MakeSlice(p.typ, 0, 0))
	}
}

// mapValue decodes a JSON object into a map, dropping the entries that do
// not fit.
func (d *decoder) mapValue(p *plan, ptr unsafe.Pointer) {
	mv := reflect.NewAt(p.typ, ptr).Elem()
	if mv.IsNil() {
		mv.Set(reflect.MakeMap(p.typ))
	}
	kv := reflect.New(p.typ.Key()).Elem()
	ev := reflect.New(p.elem.typ).Elem()
	var scratch [64]byte
	d.container('}', func() {
		key := d.key(scratch[:0])
		if d.failed {
			return
		}
		fit := d.value(p.elem, ev.Addr().UnsafePointer())
		if fit && !d.failed {
			kv.SetString(string(key))
			mv.SetMapIndex(kv, ev)
		}
		ev.SetZero()
	})
}
