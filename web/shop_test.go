package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"indicia/accounts"
	"indicia/labels"
	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/presets"
	"indicia/web/webtest"
)

func presetsInput(name, class string, oz float64) presets.Input {
	return presets.Input{Name: &name, MailClass: &class, WeightOz: &oz}
}

// meterState is what a preview must leave alone: the meter's registers and
// record counter, and every row a purchase writes.
func meterState(t *testing.T, e *webtest.Env) string {
	t.Helper()
	var ar, dr, counter, indicia, purchases, txs, charges int64
	err := e.Pool.QueryRow(t.Context(), `SELECT m.ar, m.dr, m.counter,
			(SELECT count(*) FROM indicia), (SELECT count(*) FROM purchases), (SELECT count(*) FROM meter_transactions), (SELECT count(*) FROM charges)
		FROM meters m WHERE m.id = $1`, e.Meter.ID).Scan(&ar, &dr, &counter, &indicia, &purchases, &txs, &charges)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("ar=%d dr=%d counter=%d indicia=%d purchases=%d txs=%d charges=%d", ar, dr, counter, indicia, purchases, txs, charges)
}

// previewAPI posts a preview request and returns the status, headers and body.
func previewAPI(t *testing.T, e *webtest.Env, k, body string) (int, http.Header, []byte) {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/labels/preview", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+k)
	req.Header.Set("Content-Type", "application/json")
	resp := e.Test(req)
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// A preview, through the API or the purchase page, is a PNG of the label
// with the rated price, whose barcode is a specimen: it decodes, but
// verifies for no meter. Nothing is bought and no register moves.
func TestLabelPreviewTouchesNoRegisterAndItsBarcodeDoesNotVerify(t *testing.T) {
	e := webtest.New(t)
	before := meterState(t, e)
	k := key(t, e, e.Owner, "buy_postage")
	piece := `{"pieces":[{"mail_class":"PRIORITY","weight_oz":20,"length":10,"width":8,"height":4,"services":["CERTIFIED"],
		"recipient":{"name":"Ann Lee","address":"9 elm street, beverly hills ca 90210"}}]}`
	status, h, png := previewAPI(t, e, k, piece)
	if status != http.StatusOK || h.Get("Content-Type") != "image/png" {
		t.Fatalf("preview: %d %s %.300s", status, h.Get("Content-Type"), png)
	}
	price, err := strconv.ParseInt(h.Get("X-Postage-Cents"), 10, 64)
	if err != nil || price <= 0 {
		t.Fatalf("preview price header %q", h.Get("X-Postage-Cents"))
	}
	text, err := labels.DecodeImage(bytes.NewReader(png))
	if err != nil {
		t.Fatalf("the preview's barcode does not decode: %v", err)
	}
	in, err := indicium.ParseText(text)
	if err != nil || in.MeterSerial != labels.SpecimenSerial || in.Postage != price || in.MailClass != "PRIORITY" || in.DestZIP[:5] != "90210" {
		t.Fatalf("specimen indicium %+v (%v), price %d", in.Fields, err, price)
	}
	v, err := e.Metering.Verify(t.Context(), e.Users["staff"], metering.VerifyRequest{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if v.Result == metering.ResultValid {
		t.Fatalf("a specimen verified: %+v", v)
	}
	// The same price as the rates a purchase would charge.
	code, quote := apiCall(t, e, k, "POST", "/api/v1/labels/preview", `{"pieces":[]}`)
	if _, f := errField(quote); code != http.StatusUnprocessableEntity || f != "pieces" {
		t.Fatalf("empty preview: %d %v", code, quote)
	}

	// The page: "Preview label" shows the specimen inline with the price; nothing is bought.
	v2 := url.Values{"token": {"tok-preview"}, "recipient_name": {"Ann Lee"}, "recipient_address": {"9 Elm Street, Beverly Hills CA 90210"},
		"class": {"PRIORITY"}, "weight_oz": {"20"}, "length": {"10"}, "width": {"8"}, "height": {"4"}, "services": {"CERTIFIED"}, "action": {"preview"}}
	resp := e.Do("owner", "POST", "/postage", v2)
	body := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="label-preview"`) || !strings.Contains(body, "not valid postage") {
		t.Fatalf("page preview: %d\n%.3000s", resp.StatusCode, body)
	}
	m := regexp.MustCompile(`src="data:image/png;base64,([A-Za-z0-9+/=]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no inline preview image:\n%.3000s", body)
	}
	img, _ := base64.StdEncoding.DecodeString(m[1])
	if pageText, err := labels.DecodeImage(bytes.NewReader(img)); err != nil || pageText != text {
		t.Fatalf("page preview barcode %q (%v), want the API's", pageText, err)
	}
	if !strings.Contains(body, `id="preview-total">`+moneyText(price)+`<`) {
		t.Fatalf("page preview does not show the price %s:\n%.3000s", moneyText(price), body)
	}
	if after := meterState(t, e); after != before {
		t.Fatalf("a preview changed the meter or stored rows:\nbefore %s\nafter  %s", before, after)
	}
	// And the same form then buys.
	v2.Set("action", "buy")
	if resp := e.Do("owner", "POST", "/postage", v2); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("buy after preview: %d %.2000s", resp.StatusCode, webtest.Body(t, resp))
	}
}

func moneyText(cents int64) string { return fmt.Sprintf("$%d.%02d", cents/100, cents%100) }

// Ship-from addresses: added cleansed (a bad one refused at the field),
// one default, the purchase takes an id or the default, the label prints
// it, an archived one cannot be chosen, and another account sees none.
func TestShipFromAddressesThroughTheAPIAndTheLabel(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "POST", "/api/v1/ship-from-addresses", `{"nickname":"Warehouse","company":"Acme Shipping","address":"350 fifth avenue, new york ny 10118"}`)
	if code != http.StatusCreated || out["default"] != true {
		t.Fatalf("first address: %d %v", code, out)
	}
	wh := int64(out["id"].(float64))
	lines := fmt.Sprint(out["lines"])
	if !strings.Contains(lines, "350 FIFTH AVE") || !strings.Contains(lines, "ACME SHIPPING") {
		t.Fatalf("address not cleansed: %v", out["lines"])
	}
	code, out = apiCall(t, e, k, "POST", "/api/v1/ship-from-addresses", `{"nickname":"Shop","name":"Ann Lee","address":"12 Nowhere Lane, Faketown ZZ 00000"}`)
	if _, f := errField(out); code != http.StatusUnprocessableEntity || f != "address" || errMessage(out) == "" {
		t.Fatalf("bad address: %d %v", code, out)
	}
	code, out = apiCall(t, e, k, "POST", "/api/v1/ship-from-addresses", `{"nickname":"Shop","name":"Ann Lee","address":"9 elm street, beverly hills ca 90210"}`)
	if code != http.StatusCreated || out["default"] != false {
		t.Fatalf("second address: %d %v", code, out)
	}
	shop := int64(out["id"].(float64))

	buy := func(shipFrom string) (int, map[string]any) {
		return apiCall(t, e, k, "POST", "/api/v1/labels", `{"pieces":[{"postage":78,"mail_class":"FCM_LETTER"`+shipFrom+
			`,"recipient":{"name":"Bob Ray","address":"1600 pennsylvania ave nw, washington dc 20500"}}]}`)
	}
	code, out = buy("")
	if code != http.StatusCreated {
		t.Fatalf("buy: %d %v", code, out)
	}
	label := out["labels"].([]any)[0].(map[string]any)
	if got := fmt.Sprint(label["ship_from"]); !strings.Contains(got, "350 FIFTH AVE") {
		t.Fatalf("default ship-from not used: %v", got)
	}
	code, out = buy(`,"ship_from_id":` + strconv.FormatInt(shop, 10))
	if code != http.StatusCreated {
		t.Fatalf("buy from shop: %d %v", code, out)
	}
	label = out["labels"].([]any)[0].(map[string]any)
	if got := fmt.Sprint(label["ship_from"]); !strings.Contains(got, "ANN LEE") || !strings.Contains(got, "BEVERLY HILLS") {
		t.Fatalf("chosen ship-from not used: %v", got)
	}
	status, pdf, _ := getFile(t, e, "owner", "/labels/l/"+label["id"].(string)+".pdf")
	if status != http.StatusOK || !strings.Contains(pdfText(t, pdf), "BEVERLY HILLS") {
		t.Fatalf("the label does not print the ship-from address: %d\n%s", status, pdfText(t, pdf))
	}
	// Make the shop the default, then archive it: the default passes on and it can no longer be chosen.
	if code, out = apiCall(t, e, k, "PATCH", "/api/v1/ship-from-addresses/"+strconv.FormatInt(shop, 10), `{"default":true}`); code != http.StatusOK || out["default"] != true {
		t.Fatalf("set default: %d %v", code, out)
	}
	if code, out = apiCall(t, e, k, "PATCH", "/api/v1/ship-from-addresses/"+strconv.FormatInt(shop, 10), `{"archived":true}`); code != http.StatusOK || out["archived_at"] == nil || out["default"] != false {
		t.Fatalf("archive: %d %v", code, out)
	}
	if code, out = apiCall(t, e, k, "GET", "/api/v1/ship-from-addresses/"+strconv.FormatInt(wh, 10), ""); code != http.StatusOK || out["default"] != true {
		t.Fatalf("the default did not pass on: %d %v", code, out)
	}
	before := meterState(t, e)
	code, out = buy(`,"ship_from_id":` + strconv.FormatInt(shop, 10))
	if _, f := errField(out); code != http.StatusUnprocessableEntity || f != "ship_from_id" {
		t.Fatalf("archived ship-from: %d %v", code, out)
	}
	// Another account sees none of them and cannot print them.
	other, _, err := e.Acc.SignUp(context.Background(), accountsSignUp("other-shipper@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	ok2 := key(t, e, other, "buy_postage")
	if code, out = apiCall(t, e, ok2, "GET", "/api/v1/ship-from-addresses/"+strconv.FormatInt(wh, 10), ""); code != http.StatusNotFound {
		t.Fatalf("another account read the address: %d %v", code, out)
	}
	if code, out = apiCall(t, e, ok2, "GET", "/api/v1/ship-from-addresses", ""); code != http.StatusOK || len(out["ship_from_addresses"].([]any)) != 0 {
		t.Fatalf("another account's list: %d %v", code, out)
	}
	if code, out = apiCall(t, e, ok2, "PATCH", "/api/v1/ship-from-addresses/"+strconv.FormatInt(wh, 10), `{"nickname":"Mine"}`); code != http.StatusNotFound {
		t.Fatalf("another account edited the address: %d %v", code, out)
	}
	if after := meterState(t, e); after != before {
		t.Fatalf("a refused purchase stored something:\n%s\n%s", before, after)
	}
}

// The ship-from page adds, refuses at the field, makes default and
// archives; the purchase page offers the choice and the label prints it.
func TestShipFromPageAndPurchasePage(t *testing.T) {
	e := webtest.New(t)
	resp := e.Do("owner", "POST", "/account/ship-from", url.Values{"nickname": {"Home"}, "name": {"Olive Owner"}, "address": {"nowhere at all"}})
	body := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="address-error"`) || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("bad address not refused at the field: %d\n%.3000s", resp.StatusCode, body)
	}
	for _, v := range []url.Values{
		{"nickname": {"Home"}, "name": {"Olive Owner"}, "address": {"9 Elm Street, Beverly Hills CA 90210"}},
		{"nickname": {"Office"}, "company": {"Acme Shipping"}, "address": {"350 Fifth Avenue, New York NY 10118"}},
	} {
		if resp := e.Do("owner", "POST", "/account/ship-from", v); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %v: %d %.2000s", v, resp.StatusCode, webtest.Body(t, resp))
		}
	}
	list, err := e.App.ReturnAddresses.List(t.Context(), e.Owner, false)
	if err != nil || len(list) != 2 || !list[0].Default || list[0].Nickname != "Home" {
		t.Fatalf("addresses %+v (%v)", list, err)
	}
	office := strconv.FormatInt(list[1].ID, 10)
	if resp := e.Do("owner", "POST", "/account/ship-from/"+office+"/state", url.Values{"state": {"default"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("make default: %d", resp.StatusCode)
	}
	page := webtest.Body(t, e.Do("owner", "GET", "/account/ship-from", nil))
	if !regexp.MustCompile(`id="ship-from-` + office + `"><td>Office</td><td>[^<]*350 FIFTH AVE[^<]*</td><td>Default</td>`).MatchString(page) {
		t.Fatalf("office is not shown as the default:\n%.4000s", page)
	}
	form := webtest.Body(t, e.Do("owner", "GET", "/postage", nil))
	if !strings.Contains(form, `<select id="ship_from_id" name="ship_from_id"`) || !strings.Contains(form, `<option value="`+office+`" selected>`) {
		t.Fatalf("the purchase page offers no ship-from choice with the default chosen:\n%.4000s", form)
	}
	home := strconv.FormatInt(list[0].ID, 10)
	v := url.Values{"token": {"tok-ship-from"}, "recipient_name": {"Bob Ray"}, "recipient_address": {"1600 Pennsylvania Ave NW, Washington DC 20500"},
		"class": {"FCM_LETTER"}, "weight_oz": {"1"}, "ship_from_id": {home}, "action": {"buy"}}
	resp = e.Do("owner", "POST", "/postage", v)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("buy: %d %.3000s", resp.StatusCode, webtest.Body(t, resp))
	}
	var id string
	if err := e.Pool.QueryRow(t.Context(), `SELECT public_id FROM indicia`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	status, pdf, _ := getFile(t, e, "owner", "/labels/l/"+id+".pdf")
	if text := pdfText(t, pdf); status != http.StatusOK || !strings.Contains(text, "OLIVE OWNER") || !strings.Contains(text, "BEVERLY HILLS") {
		t.Fatalf("the label does not print the chosen ship-from: %d\n%s", status, text)
	}
	// Edited, the address changes for new labels; the label bought keeps what it printed.
	if body := webtest.Body(t, e.Do("owner", "GET", "/account/ship-from/"+home, nil)); !strings.Contains(body, `value="Home"`) {
		t.Fatalf("edit form:\n%.3000s", body)
	}
	resp = e.Do("owner", "POST", "/account/ship-from/"+home, url.Values{"nickname": {"Home"}, "name": {"Olive Owner"}, "address": {"nowhere"}})
	if body := webtest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="address-error"`) {
		t.Fatalf("bad edit not refused at the field: %d\n%.3000s", resp.StatusCode, body)
	}
	resp = e.Do("owner", "POST", "/account/ship-from/"+home, url.Values{"nickname": {"Home"}, "name": {"Olive Owner"}, "address": {"350 Fifth Avenue, New York NY 10118"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %.2000s", resp.StatusCode, webtest.Body(t, resp))
	}
	if status, pdf, _ := getFile(t, e, "owner", "/labels/l/"+id+".pdf"); status != http.StatusOK || !strings.Contains(pdfText(t, pdf), "BEVERLY HILLS") {
		t.Fatalf("the reprint changed with the address: %d\n%s", status, pdfText(t, pdf))
	}
	// Archived, it is no longer offered; restored, it is.
	if resp := e.Do("owner", "POST", "/account/ship-from/"+home+"/state", url.Values{"state": {"archive"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", resp.StatusCode)
	}
	if form := webtest.Body(t, e.Do("owner", "GET", "/postage", nil)); strings.Contains(form, `<option value="`+home+`"`) {
		t.Fatal("an archived address is still offered")
	}
}

// Presets are saved through the API and the page, refused at the field,
// fill the purchase form without script, and belong to their account.
func TestPackagePresetsFillThePurchaseFormAndStayInTheirAccount(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "POST", "/api/v1/presets", `{"name":"Small box","mail_class":"PRIORITY","weight_oz":20,"length":10,"width":8,"height":4,"services":["certified"]}`)
	if code != http.StatusCreated || out["mail_class"] != "PRIORITY" || fmt.Sprint(out["services"]) != "[CERTIFIED]" {
		t.Fatalf("create: %d %v", code, out)
	}
	id := strconv.FormatInt(int64(out["id"].(float64)), 10)
	for _, c := range []struct{ body, field string }{
		{`{"name":"","mail_class":"PRIORITY","weight_oz":1}`, "name"},
		{`{"name":"X","mail_class":"BOAT","weight_oz":1}`, "mail_class"},
		{`{"name":"X","mail_class":"PRIORITY","weight_oz":0}`, "weight_oz"},
		{`{"name":"X","mail_class":"PRIORITY","weight_oz":1,"services":["TELEPORT"]}`, "services"},
		{`{"name":"small BOX","mail_class":"PRIORITY","weight_oz":1}`, "name"},
	} {
		code, out := apiCall(t, e, k, "POST", "/api/v1/presets", c.body)
		if _, f := errField(out); code != http.StatusUnprocessableEntity || f != c.field {
			t.Errorf("%s: %d %v", c.body, code, out)
		}
	}
	if code, out = apiCall(t, e, k, "PATCH", "/api/v1/presets/"+id, `{"weight_oz":24}`); code != http.StatusOK || out["weight_oz"] != 24.0 || out["length"] != 10.0 {
		t.Fatalf("patch: %d %v", code, out)
	}
	// The page saves one and refuses a bad one at its field.
	resp := e.Do("owner", "POST", "/account/presets", url.Values{"name": {"Letter"}, "mail_class": {"FCM_LETTER"}, "weight_oz": {"heavy"}})
	if body := webtest.Body(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="weight_oz-error"`) {
		t.Fatalf("bad weight on the page: %d\n%.3000s", resp.StatusCode, body)
	}
	if resp := e.Do("owner", "POST", "/account/presets", url.Values{"name": {"Letter"}, "mail_class": {"FCM_LETTER"}, "weight_oz": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("page save: %d %.2000s", resp.StatusCode, webtest.Body(t, resp))
	}
	// "Use preset" fills the piece on the server and keeps the recipient.
	resp = e.Do("owner", "POST", "/postage", url.Values{"token": {"tok-preset"}, "recipient_name": {"Ann Lee"}, "recipient_address": {"9 Elm Street, Beverly Hills CA 90210"},
		"class": {"FCM_LETTER"}, "weight_oz": {"1"}, "preset_id": {id}, "action": {"preset"}})
	body := webtest.Body(t, resp)
	for _, want := range []string{`<option value="PRIORITY" selected>`, `id="weight_oz" name="weight_oz" type="text" inputmode="decimal" size="5" value="24"`, `id="length" name="length" type="text" inputmode="decimal" size="5" value="10"`,
		`value="CERTIFIED" checked`, `Ann Lee`} {
		if !strings.Contains(body, want) {
			t.Errorf("the preset did not fill %q:\n%.5000s", want, body)
		}
	}
	// Another account can neither see nor use it.
	other, _, err := e.Acc.SignUp(context.Background(), accountsSignUp("other-presets@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	ok2 := key(t, e, other, "buy_postage")
	if code, out = apiCall(t, e, ok2, "GET", "/api/v1/presets/"+id, ""); code != http.StatusNotFound {
		t.Fatalf("another account read the preset: %d %v", code, out)
	}
	if code, out = apiCall(t, e, ok2, "GET", "/api/v1/presets", ""); code != http.StatusOK || len(out["presets"].([]any)) != 0 {
		t.Fatalf("another account's list: %d %v", code, out)
	}
	if code, _ = apiCall(t, e, ok2, "DELETE", "/api/v1/presets/"+id, ""); code != http.StatusNotFound {
		t.Fatalf("another account deleted the preset: %d", code)
	}
	if _, err := e.App.Presets.ByName(t.Context(), other, "Small box"); err == nil {
		t.Fatal("another account found the preset by name")
	}
	if code, _ = apiCall(t, e, k, "DELETE", "/api/v1/presets/"+id, ""); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
}

// A batch file's preset column fills the rows' piece from the account's
// preset; an unknown preset is refused at its line, and another account's
// preset of the same name is not found.
func TestBatchFilePresetColumn(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	if code, out := apiCall(t, e, k, "POST", "/api/v1/presets", `{"name":"Small box","mail_class":"GROUND_ADVANTAGE","weight_oz":12,"length":9,"width":6,"height":3}`); code != http.StatusCreated {
		t.Fatalf("preset: %d %v", code, out)
	}
	other, _, err := e.Acc.SignUp(context.Background(), accountsSignUp("other-batch@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Presets.Create(t.Context(), other, presetsInput("Big box", "PRIORITY", 40)); err != nil {
		t.Fatal(err)
	}
	csv := "name,address,preset,weight_oz\n" +
		"Ann Lee,\"9 Elm Street, Beverly Hills CA 90210\",small box,\n" +
		"Bob Ray,\"350 Fifth Avenue, New York NY 10118\",Small box,20\n" +
		"Cy Dee,\"1600 Pennsylvania Ave NW, Washington DC 20500\",Big box,\n"
	resp, page := uploadBatch(t, e, "owner", "list.csv", csv)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="batch-good">2<`) || !strings.Contains(page, `id="batch-bad-count">1<`) {
		t.Fatalf("review: %d\n%.5000s", resp.StatusCode, page)
	}
	if !strings.Contains(page, "<strong>Line 4</strong> (Cy Dee): There is no package preset named &#34;Big box&#34;") {
		t.Errorf("the unknown preset is not refused at its line:\n%.6000s", page)
	}
	m := batchRowsRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no buy form:\n%.6000s", page)
	}
	rows := html.UnescapeString(m[1])
	if !strings.Contains(rows, `"weight_oz":"12","class":"GROUND_ADVANTAGE"`) || !strings.Contains(rows, `"weight_oz":"20","class":"GROUND_ADVANTAGE"`) ||
		!strings.Contains(rows, `"length":"9"`) {
		t.Errorf("the preset did not fill the rows (the row's own weight wins): %s", rows)
	}
}

// Addresses made default at the same time leave exactly one default.
func TestShipFromDefaultStaysOneUnderConcurrentChanges(t *testing.T) {
	e := webtest.New(t)
	ra := e.App.ReturnAddresses
	var ids []int64
	for i, addr := range []string{"9 Elm Street, Beverly Hills CA 90210", "350 Fifth Avenue, New York NY 10118", "1600 Pennsylvania Ave NW, Washington DC 20500"} {
		nick, name := "Place "+strconv.Itoa(i), "Olive Owner"
		a, err := ra.Create(t.Context(), e.Owner, accounts.ReturnAddressInput{Nickname: &nick, Name: &name, Address: &addr})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	var wg sync.WaitGroup
	for round := 0; round < 5; round++ {
		for _, id := range ids {
			wg.Go(func() {
				yes := true
				if _, err := ra.Update(context.Background(), e.Owner, id, accounts.ReturnAddressInput{Default: &yes}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		var n int
		if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM return_addresses WHERE is_default`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("round %d: %d defaults (%v)", round, n, err)
		}
	}
}
