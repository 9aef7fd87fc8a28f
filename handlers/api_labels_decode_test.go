package handlers

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"indicia/metering"
	"indicia/postage"
)

// apiLabelsBody is the load driver's request: one metered piece.
const apiLabelsBody = `{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","dest_zip":"20500","recipient":{"name":"Ann Lee","address":"1600 Pennsylvania Ave NW, Washington DC 20500"}}]}`

// TestOrderFromJSONMatchesPieceByPiece checks that the one-pass decoding
// reads every body as the piece-by-piece decoding does, with the same order
// or the same error.
func TestOrderFromJSONMatchesPieceByPiece(t *testing.T) {
	piece := `{"postage":78,"mail_class":"FCM_LETTER","dest_zip":"20500","mailing_date":"2026-12-07","services":["CM"],"recipient":{"name":"Ann Lee","address":"1600 Pennsylvania Ave NW, Washington DC 20500"},"cost_code":"X","reference":"r"}`
	bodies := []string{
		apiLabelsBody,
		`{"meter_serial":"IND-1","accept_moved":true,"pieces":[` + piece + `,` + piece + `]}`,
		`{"pieces":[` + piece + `,{"weight_oz":2.5,"mail_class":"FCM_LETTER","recipient":{"address":"1 Main St, Anytown NY 12345"}}]}`,
		`{"pieces":[` + piece + `,{"postage":"78"}]}`,
		`{"pieces":[` + piece + `,{"postage":78,"colour":"red"}]}`,
		`{"pieces":[{"postage":78,"colour":"red"}]}`,
		`{"pieces":[` + piece + `,{"weight_oz":0}]}`,
		`{"pieces":[` + piece + `,{"mail_class":"NOPE"}]}`,
		`{"pieces":[` + piece + `,{"mailing_date":"tomorrow"}]}`,
		`{"pieces":[` + piece + `,{"recipient":{"name":"A\u0000B"}}]}`,
		`{"pieces":[{"recipient":{"name":"A\u0001B"}}]}`,
		`{"pieces":[` + piece + `,null]}`,
		`{"pieces":[]}`,
		`{"pieces":null}`,
		`{}`,
		`{"pieces":[` + piece + `]} {}`,
		`{"pieces":[` + piece + `],"extra":1}`,
		`{"pieces":` + piece + `}`,
		`{"pieces":[` + strings.Repeat(`{"postage":1},`, MaxAPIBatch) + `{"postage":1}]}`,
		`[1,2]`,
		`{"pieces":[` + piece,
	}
	for _, body := range bodies {
		got, gotErr := orderFromJSON([]byte(body), "key")
		want, wantErr := orderPieceByPiece([]byte(body), "key")
		if !reflect.DeepEqual(gotErr, wantErr) {
			t.Errorf("%.80s: error %v, piece by piece %v", body, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%.80s: order %+v, piece by piece %+v", body, got, want)
		}
	}
}

// BenchmarkAPILabelsJSON is the API handler's own JSON work for one
// purchase: the request decoded to an order ("piece-by-piece" is how every
// body was read before the one pass), and the answer encoded.
func BenchmarkAPILabelsJSON(b *testing.B) {
	purchase := metering.Purchase{PublicID: "pur_x", Pieces: 1, Postage: 78, Labels: []metering.Label{{PublicID: "lbl_x", Serial: "IND-1",
		PieceNumber: 7, Postage: 78, OriginZIP: "12345", DestZIP: "20500", MailClass: "FCM_LETTER", Status: "issued"}}}
	purchase.Labels[0].Recipient.Lines = []string{"ANN LEE", "1600 PENNSYLVANIA AVE NW", "WASHINGTON DC 20500-0003"}
	for _, way := range []struct {
		name   string
		decode func([]byte, string) (postage.Order, error)
	}{{"one-pass", orderFromJSON}, {"piece-by-piece", orderPieceByPiece}} {
		b.Run("decode/"+way.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := way.decode([]byte(apiLabelsBody), ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(toAPIPurchase(purchase)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
