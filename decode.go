package veriff

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The pieces of lenient decoding (see decodeLenient in lenient.go): the
// conversions of the fields Veriff sends in more than one JSON type, and a
// minimal scanner over JSON that encoding/json has already validated, which
// finds the spans of objects for Raw without decoding them again.

// flexString decodes a JSON string or number into its string form, for
// fields Veriff has sent both ways (error codes). Any other value (null, a
// boolean, an object) decodes as "" without an error, since an error would
// abort the decoding of the object around it.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) != nil {
		n = ""
	}
	*f = flexString(n.String())
	return nil
}

// isJSONObject reports whether data, less leading white space, starts a
// JSON object.
func isJSONObject(data []byte) bool {
	i := skipSpace(data, 0)
	return i < len(data) && data[i] == '{'
}

// jsonKind names the kind of the JSON value data, for errors.
func jsonKind(data []byte) string {
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// isNull reports whether data is the JSON null, white space around it.
func isNull(data []byte) bool {
	return string(bytes.TrimSpace(data)) == "null"
}

// jsonText returns the text of a JSON string (unquoted, trimmed) or number
// (as written); ok is false for any other value.
func jsonText(b []byte) (s string, ok bool) {
	if len(b) == 0 {
		return "", false
	}
	switch c := b[0]; {
	case c == '"':
		if n := len(b); n >= 2 && b[n-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
			return strings.TrimSpace(string(b[1 : n-1])), true
		}
		if json.Unmarshal(b, &s) != nil {
			return "", false
		}
		return strings.TrimSpace(s), true
	case c == '-' || c >= '0' && c <= '9':
		return string(b), true
	}
	return "", false
}

// flexScalar sets the string, integer, float or boolean v from a JSON value
// of another type: a number for a string (as written), a string for a
// number ("9001", " 32.0"; integers must be whole), "true"/"false" for a
// boolean. NaN, the infinities and values out of range do not fit.
func flexScalar(b []byte, v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		if len(b) == 0 || b[0] == '"' {
			return false
		}
		s, ok := jsonText(b)
		if ok {
			v.SetString(s)
		}
		return ok
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := flexInt(b)
		if ok && !v.OverflowInt(n) {
			v.SetInt(n)
			return true
		}
	case reflect.Float32, reflect.Float64:
		s, ok := jsonText(b)
		if !ok || s == "" {
			return false
		}
		x, err := strconv.ParseFloat(s, 64)
		if err == nil && !math.IsNaN(x) && !math.IsInf(x, 0) && !v.OverflowFloat(x) {
			v.SetFloat(x)
			return true
		}
	case reflect.Bool:
		if len(b) == 0 || b[0] != '"' {
			return false
		}
		t, _ := jsonText(b)
		x, err := strconv.ParseBool(t)
		if err == nil {
			v.SetBool(x)
			return true
		}
	}
	return false
}

// flexInt reads an integer sent as a JSON number or a string ("9001", 9001,
// 32.0). A fraction or any other value does not fit.
func flexInt(b []byte) (int64, bool) {
	s, ok := jsonText(b)
	if !ok || s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err == nil && x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
		return int64(x), true
	}
	return 0, false
}

var timeType = reflect.TypeFor[time.Time]()

// timeLayouts are the time formats accepted, RFC 3339 with any number of
// fractional digits first. Times without a zone are taken as UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	dateLayout,
}

// flexTime reads a time in one of timeLayouts from a JSON string. Anything
// else, "yesterday" or null, does not fit.
func flexTime(b []byte) (time.Time, bool) {
	if len(b) == 0 || b[0] != '"' {
		return time.Time{}, false
	}
	s, ok := jsonText(b)
	if !ok || s == "" {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// The scanner below reads JSON that encoding/json has already validated: it
// finds where values end, and never decodes them.

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
			continue
		}
		break
	}
	return i
}

// skipString returns the end of the string starting at data[i] ('"').
func skipString(data []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(data[i:], '"')
		if j < 0 {
			return len(data)
		}
		i += j
		bs := 0
		for k := i - 1; k >= 0 && data[k] == '\\'; k-- {
			bs++
		}
		i++
		if bs%2 == 0 {
			return i
		}
	}
}

// skipValue returns the end of the value starting at data[i].
func skipValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// forMembers calls f with each key (raw, without quotes) of the object
// starting at data[i] and the offset of its value; f returns the end of the
// value. forMembers returns the end of the object.
func forMembers(data []byte, i int, f func(key []byte, j int) int) int {
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] != '}' {
		end := skipString(data, i)
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // ':'
		i = skipSpace(data, f(key, i))
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return i + 1
}

// forElements is forMembers for the elements of an array.
func forElements(data []byte, i int, f func(j int) int) int {
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] != ']' {
		i = skipSpace(data, f(i))
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return i + 1
}

// eachMember calls f with each key (raw) and value of the object obj.
func eachMember(obj []byte, f func(key, val []byte)) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	forMembers(obj, i, func(key []byte, j int) int {
		end := skipValue(obj, j)
		f(unescapedKey(key), obj[j:end])
		return end
	})
}

// eachElement calls f with each element of the array arr.
func eachElement(arr []byte, f func(el []byte)) {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return
	}
	forElements(arr, i, func(j int) int {
		end := skipValue(arr, j)
		f(arr[j:end])
		return end
	})
}

// unescapedKey returns a raw key with its escapes resolved.
func unescapedKey(key []byte) []byte {
	if bytes.IndexByte(key, '\\') < 0 {
		return key
	}
	var s string
	if json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &s) != nil {
		return key
	}
	return []byte(s)
}

// ptrIf returns a pointer to a copy of v when ok, else nil.
func ptrIf[T any](v T, ok bool) *T {
	if !ok {
		return nil
	}
	return &v
}
