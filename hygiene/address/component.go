package address

// Component labels. They are the element names of the FGDC United States
// Thoroughfare, Landmark, and Postal Address Data Standard (FGDC-STD-016-2011),
// as the usaddress parser also uses them. Firm and Urbanization are USPS terms
// (Publication 28 §§ 24, 29) the FGDC standard has no element for;
// NotAddress holds text the parser could not place.
const (
	LabelRecipient                 = "Recipient"
	LabelFirm                      = "Firm"
	LabelUrbanization              = "Urbanization"
	LabelAddressNumberPrefix       = "AddressNumberPrefix"
	LabelAddressNumber             = "AddressNumber"
	LabelAddressNumberSuffix       = "AddressNumberSuffix"
	LabelStreetNamePreModifier     = "StreetNamePreModifier"
	LabelStreetNamePreDirectional  = "StreetNamePreDirectional"
	LabelStreetNamePreType         = "StreetNamePreType"
	LabelStreetName                = "StreetName"
	LabelStreetNamePostType        = "StreetNamePostType"
	LabelStreetNamePostDirectional = "StreetNamePostDirectional"
	LabelOccupancyType             = "OccupancyType"
	LabelOccupancyIdentifier       = "OccupancyIdentifier"
	LabelUSPSBoxType               = "USPSBoxType"
	LabelUSPSBoxID                 = "USPSBoxID"
	LabelUSPSBoxGroupType          = "USPSBoxGroupType"
	LabelUSPSBoxGroupID            = "USPSBoxGroupID"
	LabelUSPSGeneralDelivery       = "USPSGeneralDeliveryPoint"
	LabelPlaceName                 = "PlaceName"
	LabelStateName                 = "StateName"
	LabelZipCode                   = "ZipCode"
	LabelZipPlus4                  = "ZipPlus4"
	LabelNotAddress                = "NotAddress"
)

// Component is one labelled piece of an address: the text as written and its
// Publication 28 standard form.
type Component struct {
	Label    string `json:"label"`
	Text     string `json:"text"`
	Standard string `json:"standard"`
}

// Parsed is the result of Parse: the components in reading order.
type Parsed struct {
	Components []Component
}

// Get returns the first component with the label and whether there is one.
func (p Parsed) Get(label string) (Component, bool) {
	for _, c := range p.Components {
		if c.Label == label {
			return c, true
		}
	}
	return Component{}, false
}

// Standard returns the standard form of the first component with the label,
// or "".
func (p Parsed) Standard(label string) string {
	c, _ := p.Get(label)
	return c.Standard
}

func (p *Parsed) add(label, text, std string) {
	p.Components = append(p.Components, Component{Label: label, Text: text, Standard: std})
}

func (p *Parsed) set(label, text, std string) {
	for i := range p.Components {
		if p.Components[i].Label == label {
			p.Components[i].Text, p.Components[i].Standard = text, std
			return
		}
	}
	p.add(label, text, std)
}
