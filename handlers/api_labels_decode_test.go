package handlers

import (
	"encoding/json"
	"errors"
	"testing"

	"indicia/apperr"
	"indicia/metering"
)

// apiLabelsBody is the load driver's request: one metered piece.
const apiLabelsBody = `{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","dest_zip":"20500","recipient":{"name":"Ann Lee","address":"1600 Pennsylvania Ave NW, Washington DC 20500"}}]}`

// TestTextCheckNamesTheField checks that a control character is still
// refused at its field now that a clean body is checked without paths.
func TestTextCheckNamesTheField(t *testing.T) {
	piece := `{"postage":78,"mail_class":"FCM_LETTER","services":["CM"],"recipient":{"name":"Ann Lee","address":"1 Main St, Anytown NY 12345"}}`
	for body, field := range map[string]string{
		apiLabelsBody: "",
		`{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","recipient":{"name":"A\u0001B","address":"1 Main St"}}]}`:     "recipient.name",
		`{"pieces":[` + piece + `,{"postage":78,"recipient":{"address":"1 Main\u0000St"}}]}`:                              "pieces[1].recipient.address",
		`{"pieces":[` + piece + `,{"postage":78,"services":["CM","X\u007f"]}]}`:                                           "pieces[1].services[1]",
		`{"meter_serial":"IND\u0000","pieces":[` + piece + `]}`:                                                           "meter_serial",
		`{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","recipient":{"name":"Ann\tLee\r\n","address":"1 Main St"}}]}`: "",
	} {
		_, err := orderFromJSON([]byte(body), "")
		var ae *apperr.Error
		switch {
		case field == "" && err != nil:
			t.Errorf("%.60s: %v", body, err)
		case field != "" && (!errors.As(err, &ae) || ae.Field != field):
			t.Errorf("%.60s: error %v, want one at %s", body, err, field)
		}
	}
}

// BenchmarkAPILabelsJSON is the API handler's own JSON work for one
// purchase: the request decoded to an order, and the answer encoded.
func BenchmarkAPILabelsJSON(b *testing.B) {
	purchase := metering.Purchase{PublicID: "pur_x", Pieces: 1, Postage: 78, Labels: []metering.Label{{PublicID: "lbl_x", Serial: "IND-1",
		PieceNumber: 7, Postage: 78, OriginZIP: "12345", DestZIP: "20500", MailClass: "FCM_LETTER", Status: "issued"}}}
	purchase.Labels[0].Recipient.Lines = []string{"ANN LEE", "1600 PENNSYLVANIA AVE NW", "WASHINGTON DC 20500-0003"}
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := orderFromJSON([]byte(apiLabelsBody), ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(toAPIPurchase(purchase)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
