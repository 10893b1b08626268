package veriff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
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
// The fast path decodes with encoding/json into a copy of v's type with the
// same memory layout and no UnmarshalJSON methods (built once per type with
// reflect.StructOf), in one pass. Only when that fails does a slow path go
// member by member, keeping every member that fits.
func decodeLenient(data []byte, v any) error {
	if sd, ok := v.(selfDecoder); ok {
		return sd.decodeSelf(data)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("veriff: decodeLenient needs a non-nil pointer, got %T", v)
	}
	p := planFor(rv.Type().Elem())
	start := skipSpace(data, 0)
	if start == len(data) {
		return &json.SyntaxError{Offset: 0}
	}
	if isNull(data[start:]) {
		return nil
	}
	if p.kind == reflect.Struct && !p.leaf && data[start] != '{' {
		if err := checkSyntax(data); err != nil {
			return err
		}
		return &json.UnmarshalTypeError{Value: jsonKind(data[start:]), Type: p.typ}
	}
	if p.hasRaw {
		data = bytes.Clone(data)
	}
	mv := reflect.NewAt(p.mirror, rv.UnsafePointer())
	mv.Elem().SetZero()
	err := errSlowOnly
	if !p.slowOnly {
		err = json.Unmarshal(data, mv.Interface())
	} else if err := checkSyntax(data); err != nil {
		return err
	}
	if err != nil {
		if se := (*json.SyntaxError)(nil); errors.As(err, &se) {
			return err
		}
		mv.Elem().SetZero()
		if !p.slow(data[start:], mv.Elem()) {
			return &json.UnmarshalTypeError{Value: jsonKind(data[start:]), Type: p.typ}
		}
	}
	if p.walks {
		p.walk(data, start, mv.Elem())
	}
	return nil
}

var errSlowOnly = errors.New("veriff: no fast path")

// checkSyntax returns encoding/json's syntax error for data, if any.
func checkSyntax(data []byte) error {
	if json.Valid(data) {
		return nil
	}
	return json.Unmarshal(data, new(any))
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

// plan is what decodeLenient knows of one Go type.
type plan struct {
	typ    reflect.Type
	mirror reflect.Type // typ, or a copy of it without UnmarshalJSON methods
	kind   reflect.Kind
	// leaf types are decoded by encoding/json as a whole: time.Time,
	// json.RawMessage and other types with their own UnmarshalJSON.
	leaf   bool
	isTime bool
	elem   *plan // pointers, slices, arrays and maps

	// Structs.
	fields []planField
	byName map[string]int
	raw    []int // index path of the Raw field, or nil
	after  bool  // *typ implements afterDecoder

	// slowOnly types have an UnmarshalJSON and no mirror: encoding/json
	// would call it again, so they are decoded member by member.
	slowOnly bool

	hasRaw bool // a Raw field somewhere below: the input is copied
	walks  bool // a Raw field or an afterDecoder somewhere below
	// fieldsWalk is set when a field of the struct has something to walk.
	fieldsWalk bool
}

type planField struct {
	name  string
	index []int
	p     *plan
}

// block reports whether values of the plan are JSON objects: a list element
// of such a type that is not an object is dropped rather than zeroed.
func (p *plan) block() bool {
	if p.kind == reflect.Pointer {
		return p.elem.block()
	}
	return p.kind == reflect.Struct && !p.leaf
}

var (
	plans   sync.Map // planKey → *plan
	plansMu sync.Mutex

	pkgPath         = reflect.TypeFor[Decision]().PkgPath()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	afterType       = reflect.TypeFor[afterDecoder]()
	rawType         = reflect.TypeFor[json.RawMessage]()
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
	return buildPlan(t, false, map[planKey]bool{})
}

// buildPlan builds (or finds) the plan of t; plansMu is held.
func buildPlan(t reflect.Type, flex bool, building map[planKey]bool) *plan {
	key := planKey{t, flex}
	if p, ok := plans.Load(key); ok {
		return p.(*plan)
	}
	if building[key] {
		panic(fmt.Sprintf("veriff: recursive type %s cannot be decoded leniently", t))
	}
	building[key] = true
	p := &plan{typ: t, mirror: t, kind: t.Kind()}
	switch ft := flexTypes[t]; {
	case t == timeType:
		p.leaf, p.isTime = true, true
	case flex && ft != nil:
		p.leaf, p.mirror = true, ft
	case t.PkgPath() != pkgPath && t.Name() != "" && reflect.PointerTo(t).Implements(unmarshalerType):
		p.leaf = true // json.RawMessage and other foreign types
	case p.kind == reflect.Pointer:
		p.elem = buildPlan(t.Elem(), flex, building)
		p.mirror = reflect.PointerTo(p.elem.mirror)
	case p.kind == reflect.Slice:
		p.elem = buildPlan(t.Elem(), flex, building)
		p.mirror = reflect.SliceOf(p.elem.stored())
	case p.kind == reflect.Array:
		p.elem = buildPlan(t.Elem(), flex, building)
		p.mirror = reflect.ArrayOf(t.Len(), p.elem.stored())
	case p.kind == reflect.Map:
		p.elem = buildPlan(t.Elem(), flex, building)
		p.mirror = reflect.MapOf(t.Key(), p.elem.stored())
	case p.kind == reflect.Struct:
		p.buildStruct(building)
	}
	if p.elem != nil {
		p.hasRaw, p.walks = p.elem.hasRaw, p.elem.walks
	}
	if p.mirror.Size() != t.Size() || p.mirror.Align() != t.Align() {
		panic(fmt.Sprintf("veriff: lenient copy of %s has another layout", t))
	}
	delete(building, key)
	plans.Store(key, p)
	return p
}

// stored is the type elements of the plan are stored as inside slices and
// maps: the mirror, except for flex scalars, which keep their own type
// there (a map's type is not changed under it) and are decoded one by one
// on the slow path when the fast one fails.
func (p *plan) stored() reflect.Type {
	if p.leaf && p.mirror != p.typ && !p.isTime {
		return p.typ
	}
	return p.mirror
}

// buildStruct fills the plan of a struct type and its mirror: the same
// fields, tags and offsets, with each field's type mirrored, and no methods.
func (p *plan) buildStruct(building map[planKey]bool) {
	t := p.typ
	p.after = reflect.PointerTo(t).Implements(afterType)
	p.byName = map[string]int{}
	changed := reflect.PointerTo(t).Implements(unmarshalerType)
	sfs := make([]reflect.StructField, t.NumField())
	for i := range sfs {
		sf := t.Field(i)
		fp := buildPlan(sf.Type, sf.Tag.Get("veriff") == flexTag, building)
		if fp.mirror != sf.Type {
			changed = true
			sf.Type = fp.mirror
		}
		sfs[i] = sf
	}
	for _, sf := range reflect.VisibleFields(t) {
		name, ok := jsonName(sf)
		if !ok {
			continue
		}
		if sf.Name == "Raw" && sf.Type == rawType && sf.Tag.Get("json") == "-" && len(sf.Index) == 1 {
			p.raw = sf.Index
			continue
		}
		if _, dup := p.byName[name]; dup || throughPointer(t, sf.Index) {
			continue // the shallower field wins; nil embedded pointers are not followed
		}
		fp := buildPlan(sf.Type, sf.Tag.Get("veriff") == flexTag, building)
		p.byName[name] = len(p.fields)
		p.fields = append(p.fields, planField{name: name, index: sf.Index, p: fp})
		p.hasRaw = p.hasRaw || fp.hasRaw
		p.fieldsWalk = p.fieldsWalk || fp.walks
	}
	p.walks = p.fieldsWalk
	p.hasRaw = p.hasRaw || p.raw != nil
	p.walks = p.walks || p.raw != nil || p.after
	if !changed {
		return
	}
	for _, sf := range sfs {
		if !sf.IsExported() {
			// reflect.StructOf takes exported fields only: such a type is
			// decoded by its fields, and its own UnmarshalJSON is never
			// called on it again.
			p.slowOnly = reflect.PointerTo(t).Implements(unmarshalerType)
			return
		}
	}
	p.mirror = reflect.StructOf(sfs)
	for i := range sfs {
		if p.mirror.Field(i).Offset != t.Field(i).Offset {
			panic(fmt.Sprintf("veriff: lenient copy of %s moves field %s", t, sfs[i].Name))
		}
	}
}

// as returns the field v as the plan's mirror type, which has v's layout:
// the field of a struct that could not be mirrored keeps its own type.
func (p *plan) as(v reflect.Value) reflect.Value {
	if v.Type() == p.mirror {
		return v
	}
	return reflect.NewAt(p.mirror, v.Addr().UnsafePointer()).Elem()
}

// throughPointer reports whether the field at index is promoted through an
// embedded pointer.
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

// walkField is field for the walk: nil unless the field has something to
// walk (most members are skipped at the cost of one map look-up).
func (p *plan) walkField(key []byte) *planField {
	if i, ok := p.byName[string(key)]; ok {
		if f := &p.fields[i]; f.p.walks {
			return f
		}
		return nil
	}
	if f := p.field(unescapedKey(key)); f != nil && f.p.walks {
		return f
	}
	return nil
}

// slow decodes the valid JSON value data into v (settable, of the mirror
// type) member by member, and reports whether the value fitted at all.
func (p *plan) slow(data []byte, v reflect.Value) bool {
	if isNull(data) {
		return true
	}
	if p.leaf {
		if json.Unmarshal(data, v.Addr().Interface()) == nil {
			return true
		}
		v.SetZero()
		if p.isTime {
			if t, ok := flexTime(data); ok {
				v.Set(reflect.ValueOf(t))
				return true
			}
		}
		return false
	}
	switch p.kind {
	case reflect.Pointer:
		e := reflect.New(p.elem.mirror)
		if !p.elem.slow(data, e.Elem()) {
			return false
		}
		v.Set(e)
		return true
	case reflect.Struct:
		if data[0] != '{' {
			return false
		}
		eachMember(data, func(key, val []byte) {
			if f := p.field(key); f != nil {
				fv := f.p.as(v.FieldByIndex(f.index))
				if json.Unmarshal(val, fv.Addr().Interface()) != nil {
					fv.SetZero()
					f.p.slow(val, fv)
				}
			}
		})
		return true
	case reflect.Slice, reflect.Array:
		return p.slowList(data, v)
	case reflect.Map:
		return p.slowMap(data, v)
	case reflect.Interface:
		return json.Unmarshal(data, v.Addr().Interface()) == nil
	}
	return false
}

// slowList decodes a JSON array element by element: an element that does
// not fit is zeroed, or dropped when an object was expected.
func (p *plan) slowList(data []byte, v reflect.Value) bool {
	if data[0] != '[' || p.kind == reflect.Array {
		return false
	}
	s := reflect.MakeSlice(p.mirror, 0, 4)
	eachElement(data, func(el []byte) {
		e := reflect.New(p.elem.mirror).Elem()
		if json.Unmarshal(el, e.Addr().Interface()) != nil {
			e.SetZero()
			if !p.elem.slow(el, e) && p.elem.block() {
				return
			}
		}
		s = reflect.Append(s, e.Convert(p.mirror.Elem()))
	})
	v.Set(s)
	return true
}

// slowMap decodes a JSON object into a map entry by entry, dropping the
// entries that do not fit.
func (p *plan) slowMap(data []byte, v reflect.Value) bool {
	if data[0] != '{' || p.typ.Key().Kind() != reflect.String {
		return false
	}
	m := reflect.MakeMap(p.mirror)
	eachMember(data, func(key, val []byte) {
		e := reflect.New(p.elem.mirror).Elem()
		if json.Unmarshal(val, e.Addr().Interface()) != nil {
			e.SetZero()
			if !p.elem.slow(val, e) {
				return
			}
		}
		m.SetMapIndex(reflect.ValueOf(string(key)).Convert(p.typ.Key()), e.Convert(p.mirror.Elem()))
	})
	v.Set(m)
	return true
}

// walk visits the value starting at data[i] alongside v (of the mirror
// type), sets the Raw fields and calls afterDecode, and returns the end of
// the value.
func (p *plan) walk(data []byte, i int, v reflect.Value) int {
	switch {
	case !p.walks || p.leaf:
		return skipValue(data, i)
	case p.kind == reflect.Pointer:
		if v.IsNil() {
			return skipValue(data, i)
		}
		return p.elem.walk(data, i, v.Elem())
	case p.kind == reflect.Slice:
		return p.walkList(data, i, v)
	case p.kind != reflect.Struct || data[i] != '{':
		return skipValue(data, i)
	}
	var end int
	if p.fieldsWalk {
		end = p.walkMembers(data, i, v)
	} else {
		end = skipValue(data, i) // only Raw and afterDecode: one skip
	}
	obj := data[i:end:end]
	if p.raw != nil {
		v.FieldByIndex(p.raw).SetBytes(obj)
	}
	if p.after {
		reflect.NewAt(p.typ, v.Addr().UnsafePointer()).Interface().(afterDecoder).afterDecode(obj)
	}
	return end
}

// walkMembers walks the members of the object at data[i] that have
// something to walk, and returns the end of the object.
func (p *plan) walkMembers(data []byte, i int, v reflect.Value) int {
	return forMembers(data, i, func(key []byte, j int) int {
		if f := p.walkField(key); f != nil {
			return f.p.walk(data, j, f.p.as(v.FieldByIndex(f.index)))
		}
		return skipValue(data, j)
	})
}

// walkList walks a JSON array beside the slice decoded from it: elements
// that are neither objects nor null were dropped when objects were
// expected.
func (p *plan) walkList(data []byte, i int, v reflect.Value) int {
	if data[i] != '[' {
		return skipValue(data, i)
	}
	k := 0
	return forElements(data, i, func(j int) int {
		if p.elem.block() && data[j] != '{' && data[j] != 'n' {
			return skipValue(data, j)
		}
		if k >= v.Len() {
			return skipValue(data, j)
		}
		k++
		return p.elem.walk(data, j, v.Index(k-1))
	})
}

// Helpers for afterDecode methods.

// memberValue returns the value of key in the JSON object obj (the exact
// key, else the first matching it without regard to case), or nil.
func memberValue(obj []byte, key string) []byte {
	var exact, folded []byte
	eachMember(obj, func(k, val []byte) {
		switch {
		case exact == nil && string(k) == key:
			exact = val
		case folded == nil && bytes.EqualFold(k, []byte(key)):
			folded = val
		}
	})
	if exact != nil {
		return exact
	}
	return folded
}
