package veriff

import (
	"encoding/json"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// invalidUTF8Field returns the name of the first string in v (a request
// body: structs, pointers, slices, maps and interfaces of them) that is not
// valid UTF-8, or "" when every string is. encoding/json would silently
// replace such bytes with U+FFFD, so Veriff would store something other
// than what the caller sent; the request path refuses them instead.
func invalidUTF8Field(v any) string {
	name, _ := walkUTF8(reflect.ValueOf(v), "", 0)
	return name
}

// rawMessageType is left alone: raw JSON is sent as given.
var rawMessageType = reflect.TypeOf(json.RawMessage(nil))

// walkUTF8 reports the path of the first invalid string under v.
func walkUTF8(v reflect.Value, path string, depth int) (string, bool) {
	if !v.IsValid() || depth > 32 {
		return "", false
	}
	switch v.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return orBody(path), true
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return walkUTF8(v.Elem(), path, depth+1)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			p := f.Name
			if f.Anonymous {
				p = path
			} else if path != "" {
				p = path + "." + f.Name
			}
			if name, bad := walkUTF8(v.Field(i), p, depth+1); bad {
				return name, true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type() == rawMessageType || v.Type().Elem().Kind() == reflect.Uint8 {
			return "", false
		}
		for i := 0; i < v.Len(); i++ {
			if name, bad := walkUTF8(v.Index(i), orBody(path)+"["+strconv.Itoa(i)+"]", depth+1); bad {
				return name, true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			if k.Kind() == reflect.String && !utf8.ValidString(k.String()) {
				return orBody(path) + " (a key)", true
			}
			p := orBody(path) + "[" + strconv.Quote(k.String()) + "]"
			if k.Kind() != reflect.String {
				p = orBody(path) + "[]"
			}
			if name, bad := walkUTF8(it.Value(), p, depth+1); bad {
				return name, true
			}
		}
	}
	return "", false
}

func orBody(path string) string {
	if path == "" {
		return "request body"
	}
	return path
}
