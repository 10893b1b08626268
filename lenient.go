package veriff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// Lenient decoding: how every payload type, response envelope and webhook
// body of the SDK is read from JSON.
//
// The files, top to bottom (each calls only the ones below it):
//   - lenient.go (this file): decodeLenient, which reads one JSON document
//     into a Go value, value by value, with reflect.
//   - lenientplan.go: the plan of each Go type, built once and cached: how
//     its values are decoded, and for a struct which field each key fills.
//   - flex.go: the conversions of fields Veriff sends in more than one JSON
//     type (`veriff:"flex"` fields, times, codes).
//   - jsonscan.go: the validating JSON scanner, with encoding/json's grammar
//     and unescaping, and the member lookups the afterDecode methods use.
//
// Why not encoding/json alone: json.Unmarshal stops at the first mistyped
// field and loses the rest of the document, which Veriff's payloads (typed
// differently over the years) must not do. The differential test in
// lenient_fuzz_test.go checks this decoder against encoding/json wherever
// the latter succeeds.

// decodeLenient decodes the JSON object data into v, a non-nil pointer: the
// one lenient decoder behind every payload type, response envelope and
// webhook body.
//
// Unknown keys are ignored. A member whose JSON type does not fit its field
// loses that field only: it is left zero (a pointer nil, a block that is not
// an object absent, a list element that is not an object dropped, a map
// entry that does not fit dropped), and everything around it is kept.
// Fields tagged `veriff:"flex"` also take a number as a string, a string
// as a number or a boolean ("9001", "true", 1967); times take the layouts
// of timeLayouts. Every struct with a `Raw json.RawMessage` field gets the
// object it was decoded from in Raw, a sub-slice of one copy of data (so Raw
// never aliases the caller's buffer), and a type implementing afterDecoder
// is then handed that object.
//
// null leaves v as it is. Syntax errors are returned, and so is a value that
// is not an object where v is a struct (a *json.UnmarshalTypeError without
// Field): such a body is not the expected document.
func decodeLenient(data []byte, v any) error {
	if sd, ok := v.(selfDecoder); ok {
		return sd.decodeSelf(data)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("veriff: decodeLenient needs a non-nil pointer, got %T", v)
	}
	p := planFor(rv.Type().Elem())
	d := decoder{data: data}
	d.ws()
	start := d.i
	if start == len(data) {
		return &json.SyntaxError{Offset: 0}
	}
	if c := data[start]; c == 'n' || p.kind == kStruct && c != '{' {
		d.skip()
		if d.ws(); d.failed || d.i != len(data) {
			return syntaxError(data, d.i)
		}
		if c == 'n' {
			return nil
		}
		return &json.UnmarshalTypeError{Value: jsonKind(data[start:]), Type: p.typ}
	}
	if p.hasRaw {
		d.data, d.copied = bytes.Clone(data), true
	}
	target := rv.Elem()
	target.SetZero()
	fit := d.value(p, target)
	if d.ws(); !d.failed && d.i != len(data) {
		d.fail()
	}
	if d.failed {
		target.SetZero()
		return syntaxError(data, d.i)
	}
	if !fit {
		return &json.UnmarshalTypeError{Value: jsonKind(data[start:]), Type: p.typ}
	}
	return nil
}

// selfDecoder is implemented by the few response adapters that pick their
// payload out of varying envelopes themselves (itemList, categoryList):
// decodeLenient hands them the whole body.
type selfDecoder interface {
	decodeSelf(data []byte) error
}

// value decodes the JSON value at the read offset into v (addressable, of
// p's type) and reports whether it fitted; the caller zeroes v when it did
// not. A value that does not fit is still validated (skipped).
func (d *decoder) value(p *plan, v reflect.Value) bool {
	c := d.peek()
	switch p.kind {
	case kStruct:
		if c == '{' {
			d.object(p, v)
			return true
		}
	case kString:
		if c == '"' {
			v.SetString(d.text())
			return true
		}
	case kFlexStr:
		switch {
		case c == '"':
			v.SetString(d.text())
			return true
		case c == '-' || '0' <= c && c <= '9':
			v.SetString(string(d.number()))
			return true
		}
	case kPointer:
		if c != 'n' {
			return d.pointer(p, v)
		}
	case kSlice:
		if c == '[' {
			d.slice(p, v)
			return true
		}
	case kMap:
		if c == '{' {
			d.mapValue(p, v)
			return true
		}
	case kBool:
		if c == 't' || c == 'f' {
			return d.boolean(v)
		}
	case kInt, kUint, kFloat:
		if c == '-' || '0' <= c && c <= '9' {
			return setNumber(p, v, d.number())
		}
	default:
		return d.special(p, v)
	}
	if c == 'n' {
		d.literal("null")
		switch p.kind {
		case kPointer, kSlice, kMap:
			v.SetZero()
		}
		return true
	}
	d.skip()
	return false
}

// boolean reads true or false into v.
func (d *decoder) boolean(v reflect.Value) bool {
	if d.peek() == 't' {
		d.literal("true")
		v.SetBool(true)
	} else {
		d.literal("false")
		v.SetBool(false)
	}
	return true
}

// special decodes the kinds whose value is first validated as a whole.
func (d *decoder) special(p *plan, v reflect.Value) bool {
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
		*v.Addr().Interface().(*time.Time) = t
		return ok
	case kRaw:
		if !d.copied {
			b = bytes.Clone(b)
		}
		v.SetBytes(b)
		return true
	case kNumber:
		return setJSONNumber(b, v.Addr().Interface().(*json.Number))
	case kMethod:
		return p.method(b, v) == nil
	}
	return json.Unmarshal(b, v.Addr().Interface()) == nil
}

// quickTime reads an RFC 3339 time written without escapes or spaces, the
// first layout flexTime tries.
func quickTime(b []byte) (time.Time, bool) {
	if len(b) < 2 || b[0] != '"' || bytes.IndexByte(b, '\\') >= 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(b[1:len(b)-1]))
	return t, err == nil
}

// setNumber stores a JSON number into an integer or float, as encoding/json
// would: integers take whole numbers in range only.
func setNumber(p *plan, v reflect.Value, b []byte) bool {
	if b == nil {
		return false
	}
	switch p.kind {
	case kInt:
		n, ok := parseInt(b)
		if !ok || p.bits < 64 && (n < -1<<(p.bits-1) || n >= 1<<(p.bits-1)) {
			return false
		}
		v.SetInt(n)
	case kUint:
		n, err := strconv.ParseUint(string(b), 10, p.bits)
		if err != nil {
			return false
		}
		v.SetUint(n)
	default:
		x, err := strconv.ParseFloat(string(b), p.bits)
		if err != nil {
			return false
		}
		v.SetFloat(x)
	}
	return true
}

// parseInt is strconv.ParseInt(b, 10, 64) with a loop for short numbers.
func parseInt(b []byte) (int64, bool) {
	neg := b[0] == '-'
	mag := b // the digits
	if neg {
		mag = b[1:]
	}
	if len(mag) == 0 || len(mag) > 18 {
		n, err := strconv.ParseInt(string(b), 10, 64)
		return n, err == nil
	}
	var n int64
	for _, c := range mag {
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
func (d *decoder) pointer(p *plan, v reflect.Value) bool {
	target := v
	if v.IsNil() {
		target = reflect.New(p.elem.typ)
	}
	if !d.value(p.elem, target.Elem()) {
		v.SetZero()
		return false
	}
	v.Set(target)
	return true
}

// object decodes a JSON object into a struct, member by member; then sets
// Raw and calls afterDecode.
func (d *decoder) object(p *plan, v reflect.Value) {
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
		fv := v.FieldByIndex(f.index)
		if !d.value(f.p, fv) {
			fv.SetZero()
		}
	})
	if d.failed {
		return
	}
	obj := d.data[start:d.i:d.i]
	if p.raw != 0 {
		v.Field(p.raw - 1).SetBytes(obj)
	}
	if p.after {
		v.Addr().Interface().(afterDecoder).afterDecode(obj)
	}
}

// slice decodes a JSON array element by element: an element that does not
// fit is zeroed, or dropped when it should have been an object.
func (d *decoder) slice(p *plan, v reflect.Value) {
	n := 0
	d.container(']', func() {
		if n >= v.Cap() {
			v.Grow(1)
		}
		if n >= v.Len() {
			v.SetLen(n + 1)
		}
		ev := v.Index(n)
		if d.value(p.elem, ev) {
			n++
			return
		}
		ev.SetZero()
		if !p.elem.block {
			n++
		}
	})
	if n < v.Len() {
		v.SetLen(n)
	}
	if n == 0 {
		v.Set(reflect.MakeSlice(p.typ, 0, 0))
	}
}

// mapValue decodes a JSON object into a map, dropping the entries that do
// not fit.
func (d *decoder) mapValue(p *plan, v reflect.Value) {
	if v.IsNil() {
		v.Set(reflect.MakeMap(p.typ))
	}
	kv := reflect.New(p.typ.Key()).Elem()
	ev := reflect.New(p.elem.typ).Elem()
	var scratch [64]byte
	d.container('}', func() {
		key := d.key(scratch[:0])
		if d.failed {
			return
		}
		fit := d.value(p.elem, ev)
		if fit && !d.failed {
			kv.SetString(string(key))
			v.SetMapIndex(kv, ev)
		}
		ev.SetZero()
	})
}
