package veriff

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// The plans of decodeLenient (lenient.go): what it knows of each Go type,
// worked out once with reflect and cached. A plan says how values of its
// type are decoded (planKind) and, for a struct, which field each JSON key
// fills, following encoding/json's rules (tags, case-insensitive match,
// promoted fields). This file calls only flex.go (the flex stand-ins).

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
	bits int   // kInt, kUint, kFloat: the size in bits
	elem *plan // pointers, slices and maps
	// method decodes a kMethod value into v (addressable).
	method func(b []byte, v reflect.Value) error

	// Structs.
	fields []planField
	byName map[string]int
	raw    int  // index of the Raw field + 1, or 0
	after  bool // *typ implements afterDecoder

	hasRaw bool // a Raw or json.RawMessage field somewhere below: the input is copied
	block  bool // a struct or a pointer to one: a list drops such elements that do not fit
}

// planField is a struct field: the key it is decoded from, its index for
// reflect.Value.FieldByIndex, and its plan.
type planField struct {
	name  string
	index []int
	p     *plan
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
	p := &plan{typ: t, kind: kindOf(t, flex)}
	building[key] = p
	switch p.kind {
	case kInt, kUint, kFloat:
		p.bits = t.Bits()
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
func methodOf(t reflect.Type, flex bool) func([]byte, reflect.Value) error {
	if f := flexMethods[t]; flex && f != nil {
		return f
	}
	return func(b []byte, v reflect.Value) error {
		return v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b)
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
			p.raw = sf.Index[0] + 1
			p.hasRaw = true
			continue
		}
		_, dup := p.byName[name]
		if dup || throughPointer(t, sf.Index) || sf.Tag.Get("json") == "-" || len(sf.Index) > depth[name] {
			continue // nil embedded pointers are not followed
		}
		fp := buildPlan(sf.Type, sf.Tag.Get("veriff") == flexTag, building)
		p.byName[name] = len(p.fields)
		p.fields = append(p.fields, planField{name: name, index: sf.Index, p: fp})
		p.hasRaw = p.hasRaw || fp.hasRaw
	}
}

// throughPointer reports whether the field at index in t is promoted
// through an embedded pointer (encoding/json may allocate it; the lenient
// decoder skips such fields, which the SDK's types do not have).
func throughPointer(t reflect.Type, index []int) bool {
	for _, i := range index[:len(index)-1] {
		f := t.Field(i)
		if f.Type.Kind() == reflect.Pointer {
			return true
		}
		t = f.Type
	}
	return false
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
