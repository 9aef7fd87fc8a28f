package rating

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// The JSON form of a price list (one file per USPS price change). Every
// price row, every fee and every rule carries the reference it was taken
// from; a cell that could not be established is simply absent, and the
// rater then says so instead of guessing.
type priceListJSON struct {
	Version           string            `json:"version"`
	Effective         string            `json:"effective"`
	Source            string            `json:"source"`
	Coverage          string            `json:"coverage"`
	CountryPriceGroup map[string]int    `json:"country_price_groups"`
	CountrySource     string            `json:"country_price_groups_source"`
	DimWeight         *dimWeightJSON    `json:"dim_weight"`
	Classes           []classJSON       `json:"classes"`
	Services          []serviceJSON     `json:"services"`
	Rules             []ruleJSON        `json:"rules"`
	Notes             map[string]string `json:"notes"`
}

type dimWeightJSON struct {
	MinCubicIn float64  `json:"min_cubic_in"`
	Divisor    float64  `json:"divisor"`
	Classes    []string `json:"classes"`
	Source     string   `json:"source"`
}

type classJSON struct {
	Code               string     `json:"code"`
	Price              string     `json:"price"` // metered, retail, commercial
	Zoned              bool       `json:"zoned"`
	MaxWeightOz        float64    `json:"max_weight_oz"`
	MaxWeightSource    string     `json:"max_weight_source"`
	MaxDimsIn          []float64  `json:"max_dims_in"` // length, width, thickness
	MaxDimsSource      string     `json:"max_dims_source"`
	NonmachinableCents int64      `json:"nonmachinable_cents"`
	NonmachinableRule  string     `json:"nonmachinable_source"`
	Breaks             breaksJSON `json:"breaks"`
	Rows               []rowJSON  `json:"rows"`
}

// breaksJSON lists the published weight steps ("weight not over"): ounce
// steps, then every whole pound from LbFrom to LbTo.
type breaksJSON struct {
	Oz     []float64 `json:"oz"`
	LbFrom int       `json:"lb_from"`
	LbTo   int       `json:"lb_to"`
}

type rowJSON struct {
	MaxOz float64          `json:"max_oz"`
	Cents map[string]int64 `json:"cents"` // "*" unzoned, "1".."9" zones, "1".."20" price groups
	Ref   string           `json:"ref"`
}

type serviceJSON struct {
	Code  string     `json:"code"`
	Cents int64      `json:"cents"`
	Bands []bandJSON `json:"bands"` // by declared value
	Ref   string     `json:"ref"`
}

type bandJSON struct {
	MaxValueCents int64 `json:"max_value_cents"`
	Cents         int64 `json:"cents"`
}

type ruleJSON struct {
	Type     string       `json:"type"` // excludes, requires_any, classes, domestic_only
	Service  string       `json:"service"`
	Services []string     `json:"services"`
	Classes  []string     `json:"classes"`
	AnyOf    []ruleOption `json:"any_of"`
	Message  string       `json:"message"`
	Source   string       `json:"source"`
}

type ruleOption struct {
	Service          string `json:"service"`
	MinDeclaredCents int64  `json:"min_declared_cents"`
}

// Compiled forms.

const maxCells = 21 // index 0 = unzoned; 1-9 zones; 1-20 price groups

type priceList struct {
	version   string
	effective time.Time // midnight UTC of the effective date
	groups    map[string]int
	dim       *dimWeightJSON
	dimFor    map[string]bool
	classes   map[string]*classTable
	services  map[string]*serviceJSON
	rules     []ruleJSON
}

type classTable struct {
	code       string
	zoned      bool
	maxMilli   int64 // class maximum, milli-ounces
	maxDims    []float64
	nonmach    int64
	breaks     []int64 // milli-ounces, ascending
	cells      map[int64]*[maxCells]int64
	refs       map[int64]string
	lastBreak  int64
	hasAnyCell bool
}

// milli converts ounces to milli-ounces, rounding up: a piece a hair over a
// step pays the next step (DMM 604.7: fractions round up), and the epsilon
// keeps 3.5 from becoming 3501 through float error.
func milli(oz float64) int64 {
	return int64(math.Ceil(oz*1000 - 1e-6))
}

func parsePriceList(name string, data []byte) (*priceList, error) {
	var j priceListJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("rating: table %s: %w", name, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("rating: table %s: %s", name, fmt.Sprintf(format, args...))
	}
	if j.Version == "" || j.Source == "" {
		return nil, bad("version and source are required")
	}
	eff, err := time.Parse("2006-01-02", j.Effective)
	if err != nil {
		return nil, bad("effective date %q: %v", j.Effective, err)
	}
	pl := &priceList{
		version: j.Version, effective: eff, groups: j.CountryPriceGroup, dim: j.DimWeight,
		dimFor:  map[string]bool{},
		classes: map[string]*classTable{}, services: map[string]*serviceJSON{}, rules: j.Rules,
	}
	if pl.groups == nil {
		pl.groups = map[string]int{}
	}
	for c, g := range pl.groups {
		if g < 1 || g > 20 || len(c) != 2 {
			return nil, bad("country price group %s=%d out of range", c, g)
		}
	}
	if j.DimWeight != nil {
		if j.DimWeight.Divisor <= 0 || j.DimWeight.Source == "" {
			return nil, bad("dim_weight needs a divisor and a source")
		}
		for _, c := range j.DimWeight.Classes {
			pl.dimFor[c] = true
		}
	}
	for _, cj := range j.Classes {
		if _, ok := classNames[cj.Code]; !ok {
			return nil, bad("unknown class %q", cj.Code)
		}
		if cj.MaxWeightOz <= 0 || cj.MaxWeightSource == "" {
			return nil, bad("class %s needs max_weight_oz and its source", cj.Code)
		}
		ct := &classTable{code: cj.Code, zoned: cj.Zoned, maxMilli: milli(cj.MaxWeightOz),
			maxDims: cj.MaxDimsIn, nonmach: cj.NonmachinableCents,
			cells: map[int64]*[maxCells]int64{}, refs: map[int64]string{}}
		for _, oz := range cj.Breaks.Oz {
			ct.breaks = append(ct.breaks, milli(oz))
		}
		for lb := cj.Breaks.LbFrom; lb >= 1 && lb <= cj.Breaks.LbTo; lb++ {
			ct.breaks = append(ct.breaks, milli(float64(lb*16)))
		}
		sort.Slice(ct.breaks, func(a, b int) bool { return ct.breaks[a] < ct.breaks[b] })
		if len(ct.breaks) == 0 {
			return nil, bad("class %s has no weight breaks", cj.Code)
		}
		ct.lastBreak = ct.breaks[len(ct.breaks)-1]
		for _, r := range cj.Rows {
			m := milli(r.MaxOz)
			if i := sort.Search(len(ct.breaks), func(i int) bool { return ct.breaks[i] >= m }); i == len(ct.breaks) || ct.breaks[i] != m {
				return nil, bad("class %s row %v oz is not a published weight break", cj.Code, r.MaxOz)
			}
			if r.Ref == "" {
				return nil, bad("class %s row %v oz has no ref", cj.Code, r.MaxOz)
			}
			var cells [maxCells]int64
			for k, v := range r.Cents {
				idx := 0
				if k != "*" {
					idx, err = strconv.Atoi(k)
					if err != nil || idx < 1 || idx >= maxCells {
						return nil, bad("class %s row %v oz: bad cell key %q", cj.Code, r.MaxOz, k)
					}
				}
				if v <= 0 {
					return nil, bad("class %s row %v oz: price must be positive", cj.Code, r.MaxOz)
				}
				cells[idx] = v
				ct.hasAnyCell = true
			}
			ct.cells[m] = &cells
			ct.refs[m] = r.Ref
		}
		pl.classes[cj.Code] = ct
	}
	for i := range j.Services {
		s := &j.Services[i]
		if _, ok := serviceNames[s.Code]; !ok {
			return nil, bad("unknown service %q", s.Code)
		}
		if s.Ref == "" {
			return nil, bad("service %s has no ref", s.Code)
		}
		pl.services[s.Code] = s
	}
	for _, r := range j.Rules {
		if r.Source == "" || r.Message == "" {
			return nil, bad("every rule needs a message and a source (rule type %q)", r.Type)
		}
		switch r.Type {
		case "excludes", "requires_any", "classes", "domestic_only":
		default:
			return nil, bad("unknown rule type %q", r.Type)
		}
	}
	return pl, nil
}
