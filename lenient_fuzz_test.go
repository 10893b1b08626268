package veriff

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The differential test of decodeLenient: for any input, encoding/json
// decoding into a method-free mirror of the type (flex fields as their
// lenient stand-ins), copied into the type field by field, followed by a
// walk that sets Raw and calls afterDecode, is the reference wherever it
// succeeds.

// refFlexString is the reference's stand-in of a flex string: a string,
// or a number as written.
type refFlexString string

func (s *refFlexString) UnmarshalJSON(b []byte) error {
	switch {
	case b[0] == '"':
		return json.Unmarshal(b, (*string)(s))
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		*s = refFlexString(b)
		return nil
	case b[0] == 'n':
		return nil
	}
	return errNoFit
}

// FuzzEmbedded is embedded in fuzzKinds: its fields are promoted.
type FuzzEmbedded struct {
	E      string `json:"e"`
	Shadow string `json:"shadow"`
}

type fuzzInner struct {
	N   int             `json:"n"`
	S   string          `json:"s"`
	Raw json.RawMessage `json:"-"`
}

// fuzzKinds has a field of every kind decodeLenient knows.
type fuzzKinds struct {
	FuzzEmbedded
	I8     int8
	I16    int16
	I32    int32
	I64    int64
	U      uint
	U8     uint8
	F32    float32
	F64    float64
	B      bool
	S      string
	Named  SessionStatus
	Num    json.Number
	T      time.Time
	PT     *time.Time
	Raw2   json.RawMessage `json:"raw"`
	Any    any
	Bytes  []byte
	P      *fuzzInner
	In     fuzzInner
	List   []fuzzInner
	PList  []*fuzzInner
	Strs   []string `veriff:"flex"`
	M      map[string]int
	MF     map[string]bool `veriff:"flex"`
	FS     string          `veriff:"flex"`
	FI     int             `veriff:"flex"`
	FI64   *int64          `veriff:"flex"`
	FF     float64         `veriff:"flex"`
	FB     *bool           `veriff:"flex"`
	Arr    [2]int
	Ptrs   **int
	Lower  string          `json:"ab"`
	Upper  string          `json:"AB"`
	Shadow string          `json:"shadow"`
	Skip   string          `json:"-"`
	Code   flexString      `json:"code"`
	Raw    json.RawMessage `json:"-"`
}

func (k *fuzzKinds) afterDecode(obj []byte) { k.Skip = strconv.Itoa(len(obj)) }

// fuzzTargets are the types every input is decoded into.
var fuzzTargets = []reflect.Type{
	reflect.TypeFor[fuzzKinds](), reflect.TypeFor[[]fuzzKinds](), reflect.TypeFor[map[string]*fuzzInner](),
	reflect.TypeFor[Decision](), reflect.TypeFor[Verification](), reflect.TypeFor[DecisionPerson](),
	reflect.TypeFor[ParsedAddress](), reflect.TypeFor[DecisionDocument](), reflect.TypeFor[AdditionalVerifiedData](),
	reflect.TypeFor[PersonResult](), reflect.TypeFor[PEPSanctionMatch](), reflect.TypeFor[Attempt](),
	reflect.TypeFor[UserDefinedStatus](), reflect.TypeFor[WatchlistScreening](), reflect.TypeFor[WatchlistSearchTerm](),
	reflect.TypeFor[WatchlistHit](), reflect.TypeFor[Session](), reflect.TypeFor[Event](), reflect.TypeFor[Media](),
	reflect.TypeFor[MediaList](), reflect.TypeFor[INERegistryResult](), reflect.TypeFor[CURPRegistryResult](),
	reflect.TypeFor[CombinedINECURPResult](), reflect.TypeFor[INERegistryWebhook](), reflect.TypeFor[CURPRegistryWebhook](),
	reflect.TypeFor[CombinedRegistryWebhook](),
}

var (
	mirrorsMu sync.Mutex
	mirrors   = map[planKey]reflect.Type{}
	standIns  = map[reflect.Type]reflect.Type{
		reflect.TypeFor[string]():  reflect.TypeFor[refFlexString](),
		reflect.TypeFor[int]():     reflect.TypeFor[lenientInt](),
		reflect.TypeFor[int64]():   reflect.TypeFor[lenientInt64](),
		reflect.TypeFor[float64](): reflect.TypeFor[lenientFloat64](),
		reflect.TypeFor[bool]():    reflect.TypeFor[lenientBool](),
	}
)

// mirrorOf returns t with the same fields and no UnmarshalJSON of this
// package on structs, flex fields as their stand-ins; nil when
// reflect.StructOf cannot build it (unexported fields).
func mirrorOf(t reflect.Type, flex bool) reflect.Type {
	mirrorsMu.Lock()
	defer mirrorsMu.Unlock()
	return mirror(t, flex)
}

func mirror(t reflect.Type, flex bool) reflect.Type {
	if m, ok := mirrors[planKey{t, flex}]; ok {
		return m
	}
	var m reflect.Type
	switch p := planFor(t); {
	case flex && standIns[t] != nil:
		m = standIns[t]
	case p.kind == kPointer:
		m = ptrOrNil(mirror(t.Elem(), flex))
	case p.kind == kSlice:
		m = sliceOrNil(stored(t.Elem(), flex))
	case p.kind == kMap:
		if e := stored(t.Elem(), flex); e != nil {
			m = reflect.MapOf(t.Key(), e)
		}
	case p.kind == kStruct:
		m = mirrorStruct(t)
	default:
		m = t
	}
	mirrors[planKey{t, flex}] = m
	return m
}

// stored is the mirror of a list or map element: flex scalars keep their
// type there (the map's type is not changed under it).
func stored(t reflect.Type, flex bool) reflect.Type {
	if standIns[t] != nil {
		return t
	}
	return mirror(t, flex)
}

func ptrOrNil(t reflect.Type) reflect.Type {
	if t == nil {
		return nil
	}
	return reflect.PointerTo(t)
}

func sliceOrNil(t reflect.Type) reflect.Type {
	if t == nil {
		return nil
	}
	return reflect.SliceOf(t)
}

func mirrorStruct(t reflect.Type) reflect.Type {
	sfs := make([]reflect.StructField, t.NumField())
	for i := range sfs {
		sf := t.Field(i)
		if !sf.IsExported() {
			return nil
		}
		if sf.Type = mirror(sf.Type, sf.Tag.Get("veriff") == flexTag); sf.Type == nil {
			return nil
		}
		sfs[i] = sf
	}
	return reflect.StructOf(sfs)
}

// fromMirror copies src, a value of a mirror type, into dst, a value of
// the type mirrored.
func fromMirror(dst, src reflect.Value) {
	if src.Type() == dst.Type() {
		dst.Set(src)
		return
	}
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
			fromMirror(dst.Elem(), src.Elem())
		}
	case reflect.Slice:
		if !src.IsNil() {
			dst.Set(reflect.MakeSlice(dst.Type(), src.Len(), src.Len()))
			for i := range src.Len() {
				fromMirror(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Map:
		if !src.IsNil() {
			dst.Set(reflect.MakeMap(dst.Type()))
			for it := src.MapRange(); it.Next(); {
				e := reflect.New(dst.Type().Elem()).Elem()
				fromMirror(e, it.Value())
				dst.SetMapIndex(it.Key(), e)
			}
		}
	case reflect.Struct:
		for i := range src.NumField() {
			fromMirror(dst.Field(i), src.Field(i))
		}
	default:
		dst.Set(src.Convert(dst.Type()))
	}
}

// reference decodes data into a new t the reference way; ok is false when
// encoding/json reports an error.
func reference(data []byte, t reflect.Type) (v reflect.Value, ok bool) {
	m := mirrorOf(t, false)
	if m == nil {
		return reflect.Value{}, false
	}
	mv := reflect.New(m)
	if json.Unmarshal(data, mv.Interface()) != nil {
		return reflect.Value{}, false
	}
	v = reflect.New(t)
	fromMirror(v.Elem(), mv.Elem())
	d := decoder{data: data}
	if d.ws(); d.peek() != 'n' {
		walkRef(&d, planFor(t), v.Elem())
	}
	return v, true
}

// walkRef visits the (valid) value at d's read offset alongside v, sets
// the Raw fields and calls afterDecode, and moves past the value.
func walkRef(d *decoder, p *plan, v reflect.Value) {
	start, c := d.i, d.peek()
	switch {
	case p.kind == kPointer && c != 'n':
		walkRef(d, p.elem, v.Elem())
	case p.kind == kSlice && c == '[':
		k := 0
		d.container(']', func() {
			walkRef(d, p.elem, v.Index(k))
			k++
		})
	case p.kind == kMap && c == '{':
		d.container('}', func() {
			k := reflect.ValueOf(string(d.key(nil))).Convert(p.typ.Key())
			if !v.MapIndex(k).IsValid() {
				d.skip()
				return
			}
			e := reflect.New(p.elem.typ).Elem()
			e.Set(v.MapIndex(k))
			walkRef(d, p.elem, e)
			v.SetMapIndex(k, e)
		})
	case p.kind == kStruct && c == '{':
		d.container('}', func() {
			if f := p.field(d.key(nil)); f != nil {
				walkRef(d, f.p, v.FieldByIndex(f.index))
				return
			}
			d.skip()
		})
		if p.raw != 0 {
			v.Field(p.raw - 1).SetBytes(d.data[start:d.i])
		}
		if p.after {
			v.Addr().Interface().(afterDecoder).afterDecode(d.data[start:d.i])
		}
	default:
		d.skip()
	}
}

// checkDecode decodes data into each target and checks decodeLenient
// against the reference and encoding/json's syntax check.
func checkDecode(t *testing.T, data []byte) {
	valid := json.Valid(data)
	for _, typ := range fuzzTargets {
		got := reflect.New(typ)
		err := decodeLenient(data, got.Interface())
		var se *json.SyntaxError
		if !valid {
			require.ErrorAs(t, err, &se, "%s: a syntax error", typ)
			continue
		}
		require.False(t, errors.As(err, &se), "%s: no syntax error in valid JSON: %v", typ, err)
		if want, ok := reference(data, typ); ok {
			require.NoError(t, err, typ.String())
			require.True(t, reflect.DeepEqual(want.Interface(), got.Interface()),
				"%s:\nwant %#v\n got %#v", typ, want.Elem().Interface(), got.Elem().Interface())
		}
	}
}

// fuzzSeeds are the fixtures of testdata (JSON files) and a few
// hand-written edge cases.
func fuzzSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte(`{"I8":127,"I16":-32768,"U8":255,"F32":1.5e3,"B":true,"s":"a\u00e9\ud83d\ude00\ud800x","Named":"n","Num":"12","T":"2024-05-06T07:08:09Z","PT":null}`),
		[]byte(`{"raw":{"a":[1,2]},"Any":{"x":[true,null,1e2]},"Bytes":"aGk=","P":{"n":1,"S":"x"},"In":{"n":2},"List":[{"n":3},{"n":4}]}`),
		[]byte(`{"PList":[{"n":1},null],"Strs":["a"],"M":{"a":1},"MF":{"b":false},"FS":12,"FI":"3","FI64":"4","FF":"1.5","FB":"true"}`),
		[]byte(`{"Arr":[1,2,3],"Ptrs":5,"Ab":"fold","ab":"exact","shadow":"top","e":"emb","-":"dash","code":404}`),
		[]byte(` [ {"n" : 1 } , {} ] `), []byte(`{"a":{"n":1},"b":null}`), []byte(`null`), []byte(`{"\u0061b":"esc","I64":-0}`),
		[]byte(`{"x":"\x80\xff"}`), []byte(`{"s":"\t"}`), []byte(`{"a":01}`), []byte(`[1,]`), []byte(`{"a" 1}`),
	}
	for _, dir := range []string{"sessions", "lenient", "api", "ine", "core", "media", "webhooks"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		require.NoError(t, err)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			seeds = append(seeds, b)
		}
	}
	return seeds
}

// TestDecodeLenientDifferential runs the differential check over the
// fixtures and the edge cases.
func TestDecodeLenientDifferential(t *testing.T) {
	for _, seed := range fuzzSeeds(t) {
		checkDecode(t, seed)
	}
	var k fuzzKinds
	seed := fuzzSeeds(t)[3]
	require.NoError(t, decodeLenient(seed, &k))
	assert.Equal(t, fuzzKinds{Arr: [2]int{1, 2}, Lower: "exact", Shadow: "top", FuzzEmbedded: FuzzEmbedded{E: "emb"},
		Code: "404", Skip: strconv.Itoa(len(seed)), Raw: json.RawMessage(seed), Ptrs: func() **int { n := 5; p := &n; return &p }()}, k)
}

// TestDecodeLenientDepth: nesting is bounded as in encoding/json.
func TestDecodeLenientDepth(t *testing.T) {
	for _, n := range []int{maxDepth, maxDepth + 1} {
		data := []byte(`{"Any":` + repeat("[", n-1) + repeat("]", n-1) + `}`)
		var k fuzzKinds
		err := decodeLenient(data, &k)
		assert.Equal(t, json.Unmarshal(data, new(any)) == nil, err == nil, n)
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

// FuzzDecodeLenient: decodeLenient never panics, agrees with the reference
// wherever encoding/json decodes the input, and reports every syntax
// error.
func FuzzDecodeLenient(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}
