package box

import (
	"reflect"
	"testing"
)

// FuzzWireRequest feeds the request decoder arbitrary bodies: it never
// panics, and whatever it accepts encodes back to the same request.
func FuzzWireRequest(f *testing.F) {
	for _, r := range sampleRequests() {
		f.Add(appendRequest(nil, r))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeRequest(body)
		if err != nil {
			return
		}
		again, err := decodeRequest(appendRequest(nil, req))
		if err != nil {
			t.Fatalf("re-encoded request refused: %v", err)
		}
		if !reflect.DeepEqual(again, req) {
			t.Fatalf("round trip changed the request:\n%+v\n%+v", req, again)
		}
	})
}

// FuzzWireResponse does the same for answers.
func FuzzWireResponse(f *testing.F) {
	for _, r := range sampleResponses() {
		f.Add(appendResponse(nil, r))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := decodeResponse(body)
		if err != nil {
			return
		}
		again, err := decodeResponse(appendResponse(nil, resp))
		if err != nil {
			t.Fatalf("re-encoded answer refused: %v", err)
		}
		if !reflect.DeepEqual(again, resp) {
			t.Fatalf("round trip changed the answer:\n%+v\n%+v", resp, again)
		}
	})
}
