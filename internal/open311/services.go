package open311

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"wanhu/internal/request"
)

// discoveryDoc is the Service Discovery file.
type discoveryDoc struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  string     `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

type endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

// changeset is when the services last changed in a way clients should
// notice: the categories came with the requests schema.
const changeset = "2026-05-01T00:00:00+08:00"

func (h *handler) discovery(w http.ResponseWriter, r *http.Request, format string) {
	writeOne(w, format, http.StatusOK, discoveryDoc{
		Changeset:  changeset,
		Contact:    "请联系社区居委会 (the community office) for help with this API.",
		KeyService: "API keys are issued by the community's administrator (wanhu open311 key add).",
		Endpoints: []endpoint{{Specification: Spec, URL: h.base(r) + strings.TrimSuffix(Base, "/"), Changeset: changeset,
			Type: "production", Formats: []string{"text/xml", "application/json"}}},
	})
}

// base is the address clients reach the server at.
func (h *handler) base(r *http.Request) string {
	if h.publicURL != "" {
		return strings.TrimSuffix(h.publicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// service is a category as a GeoReport service.
type service struct {
	XMLName     xml.Name `xml:"service" json:"-"`
	Code        string   `xml:"service_code" json:"service_code"`
	Name        string   `xml:"service_name" json:"service_name"`
	Description string   `xml:"description" json:"description"`
	Metadata    bool     `xml:"metadata" json:"metadata"`
	Type        string   `xml:"type" json:"type"`
	Keywords    string   `xml:"keywords" json:"keywords"`
	Group       string   `xml:"group" json:"group"`
}

func serviceOf(c request.Category) service {
	return service{Code: c.Code, Name: c.Name, Description: c.NameEN + ". " + notice(c), Metadata: false, Type: "realtime",
		Keywords: c.Name + ", " + c.NameEN, Group: c.DefaultUrgency}
}

// notice is what a resident can expect of a request of category c.
func notice(c request.Category) string {
	if c.DefaultUrgency == request.Urgent {
		return "紧急诉求：自提交起24小时内办结。"
	}
	return fmt.Sprintf("社区受理后%d个工作日内办结。", c.WorkingDays)
}

func (h *handler) services(w http.ResponseWriter, r *http.Request, format string) {
	cs, err := request.Categories(r.Context(), h.db)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	out := make([]service, len(cs))
	for i, c := range cs {
		out[i] = serviceOf(c)
	}
	writeList(w, format, http.StatusOK, "services", out)
}

// definition is a service definition. No service has metadata, so its
// attributes are always empty.
type definition struct {
	XMLName    xml.Name     `xml:"service_definition" json:"-"`
	Code       string       `xml:"service_code" json:"service_code"`
	Attributes noAttributes `xml:"attributes" json:"attributes"`
}

// noAttributes is an empty attribute list: [] in JSON, <attributes/> in XML.
type noAttributes struct{}

func (noAttributes) MarshalJSON() ([]byte, error) { return []byte("[]"), nil }

func (h *handler) service(w http.ResponseWriter, r *http.Request) {
	code, format, ok := split(r)
	if !ok {
		writeErrors(w, format, http.StatusNotFound, "unknown format: use .xml or .json")
		return
	}
	c, err := h.category(r, code)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	writeOne(w, format, http.StatusOK, definition{Code: c.Code})
}

// category returns the active category code, or a 404 failure.
func (h *handler) category(r *http.Request, code string) (*request.Category, error) {
	cs, err := request.Categories(r.Context(), h.db)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(cs, func(c request.Category) bool { return c.Code == code })
	if i < 0 {
		return nil, notFound(fmt.Sprintf("service_code %q was not found", code))
	}
	return &cs[i], nil
}
