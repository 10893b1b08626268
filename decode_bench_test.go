package veriff

import (
	"encoding/json"
	"testing"
)

// BenchmarkDecodeDecision measures decoding a recorded decision (3.5 KB):
//
//   - sdk: what Client.Decision does with the body (the client's lenient
//     decode into the Decision, without its UnmarshalJSON at the top);
//   - unmarshal: json.Unmarshal into a Decision, as for a webhook body;
//   - map: encoding/json into map[string]any, the baseline.
func BenchmarkDecodeDecision(b *testing.B) {
	data := fixture(b, "sessions/decision_approved.json")
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			var d Decision
			if err := unmarshalLenient(data, (*decisionFields)(&d)); err != nil {
				b.Fatal(err)
			}
			d.dropMalformed()
			if d.Verification == nil || d.Verification.Person == nil {
				b.Fatal("decision not decoded")
			}
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			var d Decision
			if err := json.Unmarshal(data, &d); err != nil {
				b.Fatal(err)
			}
			if d.Verification == nil || d.Verification.Person == nil {
				b.Fatal("decision not decoded")
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
