package veriff

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unsafe"
)

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
//
// It is one validating pass (jsonscan.go) that decodes straight into v
// along a plan of v's type built once with reflect (lenientvalue.go).
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
	ptr := rv.UnsafePointer()
	p.zero(ptr)
	fit := d.value(p, ptr)
	if d.ws(); !d.failed && d.i != len(data) {
		d.fail()
	}
	if d.failed {
		p.zero(ptr)
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

// afterDecoder is implemented by payload types that finish their decoding
// by hand (legacy key names, placeholder values); obj is the JSON object
// the value was decoded from.
type afterDecoder interface {
	afterDecode(obj []byte)
}

// flexTag is the struct tag of fields that accept their value in more than
// one JSON type.
const flexTag = "flex"

// planKind is how a plan decodes its values.
type planKind uint8

const (
	kString  planKind = iota // string kinds
	kBool                    // bool kinds
	kInt                     // signed integers
	kUint                    // unsigned integers
	kFloat                   // float32, float64
	kNumber                  // json.Number
	kTime                    // time.Time, with timeLayouts
	kRaw                     // json.RawMessage
	kFlexStr                 // a flex string: a string or a number as written
	kMethod                  // a flex stand-in or a type with its own UnmarshalJSON
	kOther                   // encoding/json decodes it (interfaces, []byte, ...)
	kPointer
	kSlice
	kMap
	kStruct
)

// plan is what decodeLenient knows of one Go type.
type plan struct {
	typ  reflect.Type
	kind planKind
	size uintptr
	elem *plan // pointers, slices and maps
	// method decodes a kMethod value.
	method func(b []byte, ptr unsafe.Pointer) error

	// Structs.
	fields []planField
	byName map[string]int
	raw    uintptr // offset of the Raw field + 1, or 0
	after  bool    // *typ implements afterDecoder

	hasRaw bool // a Raw or json.RawMessage field somewhere below: the input is copied
	block  bool // a struct or a pointer to one: a list drops such elements that do not fit
}

type planField struct {
	name string
	off  uintptr
	p    *plan
}

var (
	plans   sync.Map // planKey → *plan
	plansMu sync.Mutex

	pkgPath         = reflect.TypeFor[Decision]().PkgPath()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textType        = reflect.TypeFor[encoding.TextUnmarshaler]()
	afterType       = reflect.TypeFor[afterDecoder]()
	rawType         = reflect.TypeFor[json.RawMessage]()
	numberType      = reflect.TypeFor[json.Number]()
)

// planKey names a plan: flex plans are those of fields tagged flex (and of
// what they point to or hold).
type planKey struct {
	t    reflect.Type
	flex bool
}

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(planKey{t, false}); ok {
		return p.(*plan)
	}
	plansMu.Lock()
	defer plansMu.Unlock()
	return buildPlan(t, false, map[planKey]*plan{})
}

// buildPlan builds (or finds) the plan of t; plansMu is held. building
// holds the plans under construction, so recursive types refer to
// themselves.
func buildPlan(t reflect.Type, flex bool, building map[planKey]*plan) *plan {
	key := planKey{t, flex}
	if p, ok := plans.Load(key); ok {
		return p.(*plan)
	}
	if p := building[key]; p != nil {
		return p
	}
	p := &plan{typ: t, size: t.Size(), kind: kindOf(t, flex)}
	building[key] = p
	switch p.kind {
	case kMethod:
		p.method = methodOf(t, flex)
	case kPointer, kSlice, kMap:
		p.elem = buildPlan(t.Elem(), flex, building)
		p.hasRaw = p.elem.hasRaw
		p.block = p.kind == kPointer && p.elem.block
	case kStruct:
		p.buildStruct(building)
		p.block = true
	case kRaw:
		p.hasRaw = true
	}
	delete(building, key)
	plans.Store(key, p)
	return p
}

// kindOf chooses how values of t are decoded.
func kindOf(t reflect.Type, flex bool) planKind {
	ptrT := reflect.PointerTo(t)
	own := t.PkgPath() == pkgPath
	switch k := t.Kind(); {
	case t == timeType:
		return kTime
	case t == rawType:
		return kRaw
	case t == numberType:
		return kNumber
	case flex && t == reflect.TypeFor[string]():
		return kFlexStr
	case flex && flexMethods[t] != nil:
		return kMethod
	case ptrT.Implements(unmarshalerType) && (!own || k != reflect.Struct && k != reflect.Slice &&
		k != reflect.Map && k != reflect.Pointer):
		return kMethod // foreign types, and our scalar ones such as flexString
	case ptrT.Implements(textType) && !ptrT.Implements(unmarshalerType):
		return kOther
	case k == reflect.String:
		return kString
	case k == reflect.Bool:
		return kBool
	case k >= reflect.Int && k <= reflect.Int64:
		return kInt
	case k >= reflect.Uint && k <= reflect.Uintptr:
		return kUint
	case k == reflect.Float32 || k == reflect.Float64:
		return kFloat
	case k == reflect.Pointer:
		return kPointer
	case k == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		return kSlice
	case k == reflect.Map && t.Key().Kind() == reflect.String &&
		!reflect.PointerTo(t.Key()).Implements(textType):
		return kMap
	case k == reflect.Struct:
		return kStruct
	}
	return kOther
}

// methodOf returns the decoding of a kMethod type: its flex stand-in's
// UnmarshalJSON, or its own.
func methodOf(t reflect.Type, flex bool) func([]byte, unsafe.Pointer) error {
	if f := flexMethods[t]; flex && f != nil {
		return f
	}
	return func(b []byte, ptr unsafe.Pointer) error {
		return reflect.NewAt(t, ptr).Interface().(json.Unmarshaler).UnmarshalJSON(b)
	}
}

// buildStruct lists the fields of a struct type by the keys encoding/json
// decodes them from: of fields sharing a key the shallowest wins.
func (p *plan) buildStruct(building map[planKey]*plan) {
	t := p.typ
	p.after = reflect.PointerTo(t).Implements(afterType)
	p.byName = map[string]int{}
	visible := reflect.VisibleFields(t)
	depth := map[string]int{}
	for _, sf := range visible {
		if name, ok := jsonName(sf); ok && sf.Tag.Get("json") != "-" {
			if d, seen := depth[name]; !seen || len(sf.Index) < d {
				depth[name] = len(sf.Index)
			}
		}
	}
	for _, sf := range visible {
		name, ok := jsonName(sf)
		if !ok {
			continue
		}
		if sf.Name == "Raw" && sf.Type == rawType && sf.Tag.Get("json") == "-" && len(sf.Index) == 1 {
			p.raw = sf.Offset + 1
			p.hasRaw = true
			continue
		}
		off, ok := fieldOffset(t, sf.Index)
		if _, dup := p.byName[name]; dup || !ok || sf.Tag.Get("json") == "-" || len(sf.Index) > depth[name] {
			continue // nil embedded pointers are not followed
		}
		fp := buildPlan(sf.Type, sf.Tag.Get("veriff") == flexTag, building)
		p.byName[name] = len(p.fields)
		p.fields = append(p.fields, planField{name: name, off: off, p: fp})
		p.hasRaw = p.hasRaw || fp.hasRaw
	}
}

// fieldOffset returns the offset of the field at index in t; ok is false
// for a field promoted through an embedded pointer.
func fieldOffset(t reflect.Type, index []int) (off uintptr, ok bool) {
	for k, i := range index {
		f := t.Field(i)
		if k < len(index)-1 && f.Type.Kind() == reflect.Pointer {
			return 0, false
		}
		off += f.Offset
		t = f.Type
	}
	return off, true
}

// jsonName returns the key encoding/json decodes a field from; ok is false
// for fields it skips (unexported, "-", embedded structs whose fields are
// promoted).
func jsonName(sf reflect.StructField) (string, bool) {
	if !sf.IsExported() && !sf.Anonymous {
		return "", false
	}
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return "-", sf.Name == "Raw"
	}
	name, _, _ := strings.Cut(tag, ",")
	if sf.Anonymous && name == "" {
		return "", false // promoted fields are listed by VisibleFields
	}
	if !sf.IsExported() {
		return "", false
	}
	if name == "" {
		name = sf.Name
	}
	return name, true
}

// field finds the field decoded from key as encoding/json does: the exact
// name first, then the name without regard to case.
func (p *plan) field(key []byte) *planField {
	if i, ok := p.byName[string(key)]; ok {
		return &p.fields[i]
	}
	for i := range p.fields {
		if bytes.EqualFold([]byte(p.fields[i].name), key) {
			return &p.fields[i]
		}
	}
	return nil
}

// zero sets the value at ptr to its zero value.
func (p *plan) zero(ptr unsafe.Pointer) {
	switch p.kind {
	case kString, kFlexStr, kNumber:
		*(*string)(ptr) = ""
	case kPointer:
		*(*unsafe.Pointer)(ptr) = nil
	default:
		reflect.NewAt(p.typ, ptr).Elem().SetZero()
	}
}
