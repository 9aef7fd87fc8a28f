package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"indicia/accounts"
	"indicia/web/request"
	"indicia/web/webtest"
)

func apiKey(t *testing.T, e *webtest.Env) string {
	t.Helper()
	_, secret, err := e.Acc.CreateAPIKey(context.Background(), e.Owner, "hygiene", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func verify(t *testing.T, e *webtest.Env, key, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/addresses/verify", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp := e.Test(req)
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: not JSON: %v", body, err)
	}
	return resp.StatusCode, out
}

func TestAPIVerifyAddress(t *testing.T) {
	e := webtest.New(t)
	key := apiKey(t, e)

	code, out := verify(t, e, key, `{"address": "350 5th Ave, New York, NY 10118"}`)
	if code != 200 || out["status"] != "valid" || out["zip"] != "10118" {
		t.Errorf("good address: %d %v", code, out)
	}
	std := out["standardized"].(map[string]any)
	if std["delivery_line"] != "350 5TH AVE" || std["last_line"] != "NEW YORK NY 10118" {
		t.Errorf("standardized %v", std)
	}

	code, out = verify(t, e, key, `{"line1": "123 main street apt 4", "city": "Springfeld", "state": "il", "zip": "62704"}`)
	sugg, _ := out["suggested"].(map[string]any)
	if code != 200 || out["status"] != "corrected" || sugg["city"] != "SPRINGFIELD" || sugg["line1"] != "123 MAIN ST APT 4" || out["differs"] != true {
		t.Errorf("corrected address: %d %v", code, out)
	}
	if r, _ := out["reasons"].([]any); len(r) == 0 || !strings.Contains(r[0].(string), "SPRINGFIELD") {
		t.Errorf("reasons %v", out["reasons"])
	}
	var comps []string
	for _, c := range out["components"].([]any) {
		m := c.(map[string]any)
		comps = append(comps, m["label"].(string)+"="+m["standard"].(string))
	}
	if !strings.Contains(strings.Join(comps, " "), "StreetNamePostType=ST") || !strings.Contains(strings.Join(comps, " "), "OccupancyType=APT") {
		t.Errorf("components %v", comps)
	}

	code, out = verify(t, e, key, `{"address": "zzz"}`)
	if code != 200 || out["status"] != "invalid" || len(out["warnings"].([]any)) == 0 {
		t.Errorf("invalid address: %d %v", code, out)
	}

	for body, field := range map[string]string{`{"address": `: "body", `{"line1": 12}`: "line1", `[1,2]`: ""} {
		code, out = verify(t, e, key, body)
		errObj, _ := out["error"].(map[string]any)
		if code != 400 || errObj["field"] == nil || (field != "" && errObj["field"] != field) {
			t.Errorf("bad JSON %s: %d %v", body, code, out)
		}
	}
	code, out = verify(t, e, key, `{}`)
	if errObj, _ := out["error"].(map[string]any); code != 422 || errObj["field"] != "address" {
		t.Errorf("empty body: %d %v", code, out)
	}
	if code, _ := verify(t, e, "ind_wrong", `{"address": "1 Main St 06901"}`); code != 401 {
		t.Errorf("bad key: %d", code)
	}
}

// upload posts a file as role with the session cookie and CSRF token.
func upload(t *testing.T, e *webtest.Env, role, path, name string, data []byte) *http.Response {
	return uploadTB(t, e, role, path, name, data)
}

func uploadTB(t testing.TB, e *webtest.Env, role, path, name string, data []byte) *http.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("_csrf", e.Sessions[role][1])
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	req := httptest.NewRequest("POST", path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: request.SessionCookie, Value: e.Sessions[role][0]})
	return e.Test(req)
}

func get(t *testing.T, e *webtest.Env, role, path string) (int, string) {
	t.Helper()
	resp := e.Do(role, "GET", path, nil)
	return resp.StatusCode, webtest.Body(t, resp)
}

func TestAddressBookPagesNoJavaScript(t *testing.T) {
	e := webtest.New(t)
	form := url.Values{"name": {"Ann Lee"}, "line1": {"123 main street apt 4"}, "city": {"Springfeld"}, "state": {"IL"}, "zip": {"62704"}}
	// The first submit shows the suggestion and both buttons instead of saving.
	resp := e.Do("clerk", "POST", "/addresses", form)
	body := webtest.Body(t, resp)
	if resp.StatusCode != 422 || !strings.Contains(body, "123 MAIN ST APT 4") || !strings.Contains(body, "city corrected from SPRINGFELD to SPRINGFIELD") ||
		!strings.Contains(body, `id="use-suggested"`) || !strings.Contains(body, `id="keep-mine"`) {
		t.Fatalf("first submit: %d\n%s", resp.StatusCode, body)
	}
	form.Set("decision", "suggested")
	if resp := e.Do("clerk", "POST", "/addresses", form); resp.StatusCode != 303 {
		t.Fatalf("use suggested: %d %s", resp.StatusCode, webtest.Body(t, resp))
	}
	_, body = get(t, e, "owner", "/addresses?q=ann")
	if !strings.Contains(body, "123 MAIN ST APT 4") || !strings.Contains(body, "SPRINGFIELD IL 62704") {
		t.Fatalf("list after save:\n%s", body)
	}
	id := regexp.MustCompile(`href="/addresses/(\d+)"`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no entry link in the list")
	}
	// Edit with "keep mine": the old address goes to the history.
	edit := url.Values{"name": {"Ann Lee"}, "line1": {"9 Elm St"}, "city": {"Boston"}, "state": {"MA"}, "zip": {"02108"}, "decision": {"mine"}}
	if resp := e.Do("owner", "POST", "/addresses/"+id[1], edit); resp.StatusCode != 303 {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	_, body = get(t, e, "owner", "/addresses/"+id[1])
	if !strings.Contains(body, "9 Elm St") || !strings.Contains(body, "123 MAIN ST APT 4, SPRINGFIELD IL 62704") {
		t.Errorf("edit page with history:\n%s", body)
	}
	// The live check answers JSON for the form's script.
	resp = e.Do("owner", "POST", "/addresses/check", url.Values{"line1": {"1 main st"}, "city": {"stamferd"}, "state": {"ct"}})
	var chk map[string]any
	json.NewDecoder(resp.Body).Decode(&chk)
	if sugg, _ := chk["suggested"].(map[string]any); resp.StatusCode != 200 || sugg["city"] != "STAMFORD" || chk["needs_decision"] != true {
		t.Errorf("check: %d %v", resp.StatusCode, chk)
	}
	if resp := e.Do("owner", "POST", "/addresses/"+id[1]+"/delete", nil); resp.StatusCode != 303 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if code, _ := get(t, e, "owner", "/addresses/"+id[1]); code != 404 {
		t.Errorf("deleted entry: %d", code)
	}
}

func TestAddressBookOtherAccountCannotSeeOrEdit(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	entry := ownerEntry("/addresses/:id")(e)
	other, _, err := e.Acc.SignUp(ctx, accountsSignUp("eve@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	id, s, err := e.Acc.Sessions.Create(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Sessions["eve"] = [2]string{id, s.CSRF}
	if code, _ := get(t, e, "eve", entry); code != 404 {
		t.Errorf("other account GET: %d", code)
	}
	edit := url.Values{"line1": {"1 Evil Way"}, "zip": {"06901"}, "decision": {"mine"}}
	if resp := e.Do("eve", "POST", entry, edit); resp.StatusCode != 404 {
		t.Errorf("other account edit: %d", resp.StatusCode)
	}
	if resp := e.Do("eve", "POST", entry+"/delete", nil); resp.StatusCode != 404 {
		t.Errorf("other account delete: %d", resp.StatusCode)
	}
	if _, body := get(t, e, "eve", "/addresses"); strings.Contains(body, "Route Row") {
		t.Error("other account lists the owner's entry")
	}
	if _, body := get(t, e, "owner", entry); !strings.Contains(body, "1 MAIN ST") {
		t.Error("owner's entry changed")
	}
}

func TestAddressBookImportAndExport(t *testing.T) {
	e := webtest.New(t)
	data := "name,company,line1,line2,city,state,zip,email,phone,department\n" +
		"Ann,Acme,123 main street,,Springfeld,IL,62704,ann@example.com,555-0100,Sales\n" +
		"Bob,,,,,,,,,\n" +
		"Cy,,350 5th Ave,,New York,NY,10118,,,\n"
	resp := upload(t, e, "clerk", "/addresses/import", "book.csv", []byte(data))
	body := webtest.Body(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "2 addresses imported") || !regexp.MustCompile(`<td>3</td><td>[^<]*line1`).MatchString(body) {
		t.Fatalf("import: %d\n%s", resp.StatusCode, body)
	}
	resp = upload(t, e, "clerk", "/addresses/import", "pic.csv", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 200)...))
	if body := webtest.Body(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "not a spreadsheet") {
		t.Errorf("binary import: %d\n%s", resp.StatusCode, body)
	}
	code, body := get(t, e, "owner", "/addresses/export?format=csv")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || err != nil || len(recs) != 3 || recs[1][0] != "Ann" || recs[1][2] != "123 MAIN ST" || recs[1][4] != "SPRINGFIELD" || recs[1][9] != "Sales" {
		t.Fatalf("csv export: %d %v %q", code, err, recs)
	}
	resp = e.Do("owner", "GET", "/addresses/export?format=xlsx", nil)
	f, err := excelize.OpenReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Sheet1")
	if len(rows) != 3 || rows[2][0] != "Cy" || rows[2][2] != "350 5TH AVE" {
		t.Errorf("xlsx export: %q", rows)
	}
}

func TestBatchCleansingEndToEnd(t *testing.T) {
	e := webtest.New(t)
	e.StartWorker()
	data := "address\n" +
		"\"123 main street apt 4, Springfeld IL 62704\"\n" +
		"\"350 5th Ave, New York, NY 10118\"\n" +
		"zzz\n" +
		"\"broken \"quote\n" +
		"\"1 Main St, Stamford CT 06901\"\n"
	resp := upload(t, e, "clerk", "/cleanse", "list.csv", []byte(data))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("upload: %d %s %s", resp.StatusCode, loc, webtest.Body(t, resp))
	}
	var job struct {
		Status string `json:"status"`
		Result string `json:"result_url"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := e.Do("clerk", "GET", loc+"/status", nil)
		json.NewDecoder(r.Body).Decode(&job)
		if job.Status == "succeeded" || job.Status == "dead" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if job.Status != "succeeded" || !strings.HasPrefix(job.Result, "/cleanse/") {
		t.Fatalf("job %+v", job)
	}
	_, body := get(t, e, "clerk", job.Result)
	for st, n := range map[string]string{"valid": "2", "corrected": "1", "invalid": "1"} {
		if !strings.Contains(body, `class="count-`+st+`">`+n+`<`) {
			t.Errorf("count %s should be %s:\n%s", st, n, body)
		}
	}
	if !strings.Contains(body, "123 MAIN ST APT 4, SPRINGFIELD IL 62704") || !strings.Contains(body, "<td>5</td>") {
		t.Errorf("before/after table:\n%s", body)
	}
	code, csvBody := get(t, e, "clerk", job.Result+"/download?format=csv")
	recs, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if code != 200 || err != nil || len(recs) < 5 || recs[1][0] != "2" || recs[1][2] != "corrected" || recs[1][3] != "123 MAIN ST APT 4" {
		t.Fatalf("download: %d %v %q", code, err, recs)
	}
	// The owner of the same account sees it; another account's user does not.
	if code, _ := get(t, e, "owner", job.Result); code != 200 {
		t.Errorf("owner: %d", code)
	}
	resp = e.Do("clerk", "GET", job.Result+"/download?format=xlsx", nil)
	b, _ := io.ReadAll(resp.Body)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Sheet1")
	if len(rows) != len(recs) || rows[1][3] != "123 MAIN ST APT 4" {
		t.Errorf("xlsx rows %q", rows)
	}
}

// Oversized files are refused before reading (address.TestImportRefusesOversizedFileAtOnce) and by the body limit.
func TestBatchUploadRefusesBinaryAndHeaderless(t *testing.T) {
	e := webtest.New(t)
	resp := upload(t, e, "owner", "/cleanse", "x.csv", append([]byte("GIF89a"), bytes.Repeat([]byte{0}, 500)...))
	if body := webtest.Body(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "not a spreadsheet") {
		t.Errorf("binary: %d\n%s", resp.StatusCode, body)
	}
	resp = upload(t, e, "owner", "/cleanse", "x.csv", []byte("name,phone\nAnn,1\n"))
	if body := webtest.Body(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "header row must name") {
		t.Errorf("no address column: %d\n%s", resp.StatusCode, body)
	}
}

func accountsSignUp(email string) accounts.SignUpInput {
	return accounts.SignUpInput{Name: "Eve", Company: "Eve Co", Email: email, Password: "correct horse battery",
		Address: accounts.Address{Line1: "2 Main St", City: "Stamford", State: "CT", ZIP: "06901"}}
}

// One address is "1 address", one skipped row "1 row skipped".
func TestAddressBookCountsSayOneInTheSingular(t *testing.T) {
	e := webtest.New(t)
	data := "name,line1,city,state,zip\nAnn,123 main street,Springfeld,IL,62704\nBob,,,,\n"
	body := webtest.Body(t, upload(t, e, "clerk", "/addresses/import", "book.csv", []byte(data)))
	if !strings.Contains(body, ">1 address imported.<") || !strings.Contains(body, ">1 row skipped<") {
		t.Errorf("import result:\n%s", body)
	}
	if _, body := get(t, e, "owner", "/addresses"); !strings.Contains(body, `<p id="address-count">1 address</p>`) {
		t.Errorf("list:\n%s", body)
	}
}
