package coa

// nicknameGroups are common English given names and their usual short forms,
// one group per formal name. Source: a hand-picked subset of the pairs in
// names.csv of github.com/carltonnorthern/nicknames (Apache License 2.0),
// which was built from genealogy nickname lists. A short form that belongs to
// several formal names (Chris, Alex, Pat, Sam...) is in each of their groups,
// so "Chris Lee" matches both "Christopher Lee" and "Christine Lee": the
// address must match as well, which keeps such a match honest.
var nicknameGroups = [][]string{
	{"ABIGAIL", "ABBY", "ABBIE", "GAIL"},
	{"ABRAHAM", "ABE", "BRAM"},
	{"ALBERT", "AL", "BERT", "BERTIE"},
	{"ALEXANDER", "ALEX", "AL", "ALEC", "SANDY", "XANDER"},
	{"ALEXANDRA", "ALEX", "ALEXA", "SANDRA", "SANDY", "LEXI"},
	{"ALFRED", "AL", "ALF", "FRED", "FREDDIE"},
	{"ALLISON", "ALLIE", "ALLY"},
	{"ANDREW", "ANDY", "DREW"},
	{"ANTHONY", "TONY"},
	{"BARBARA", "BARB", "BABS", "BARBIE"},
	{"BENJAMIN", "BEN", "BENNY", "BENJI"},
	{"CATHERINE", "CATHY", "CATE", "KATE", "KATIE", "CAT"},
	{"CHARLES", "CHARLIE", "CHUCK", "CHAS", "CHAZ"},
	{"CHRISTINA", "CHRIS", "CHRISTY", "TINA"},
	{"CHRISTINE", "CHRIS", "CHRISTY", "TINA"},
	{"CHRISTOPHER", "CHRIS", "KIT", "TOPHER"},
	{"DANIEL", "DAN", "DANNY"},
	{"DAVID", "DAVE", "DAVY"},
	{"DEBORAH", "DEB", "DEBBIE", "DEBBY"},
	{"DONALD", "DON", "DONNIE"},
	{"DOROTHY", "DOT", "DOTTIE", "DOLLY"},
	{"EDWARD", "ED", "EDDIE", "NED", "TED", "TEDDY"},
	{"ELIZABETH", "LIZ", "LIZZIE", "BETH", "BETSY", "BETTY", "ELIZA", "LISA", "BESS", "LIBBY"},
	{"EUGENE", "GENE"},
	{"FRANCES", "FRAN", "FRANNIE", "FRANKIE"},
	{"FRANCIS", "FRANK", "FRAN"},
	{"FREDERICK", "FRED", "FREDDIE", "FRITZ"},
	{"GERALD", "GERRY", "JERRY"},
	{"GREGORY", "GREG"},
	{"HENRY", "HANK", "HARRY", "HAL"},
	{"HAROLD", "HAL", "HARRY"},
	{"JACQUELINE", "JACKIE", "JACKY"},
	{"JAMES", "JIM", "JIMMY", "JAMIE"},
	{"JANET", "JAN"},
	{"JENNIFER", "JEN", "JENNY", "JENNI"},
	{"JESSICA", "JESS", "JESSIE"},
	{"JOHN", "JACK", "JOHNNY", "JON"},
	{"JONATHAN", "JON", "JONNY", "NATHAN"},
	{"JOSEPH", "JOE", "JOEY"},
	{"JOSEPHINE", "JO", "JOSIE"},
	{"JOSHUA", "JOSH"},
	{"JUDITH", "JUDY", "JUDE"},
	{"KATHERINE", "KATHY", "KATE", "KATIE", "KAT", "KAY", "KITTY"},
	{"KATHLEEN", "KATHY", "KATE", "KATIE"},
	{"KENNETH", "KEN", "KENNY"},
	{"LAWRENCE", "LARRY", "LAURIE"},
	{"LEONARD", "LEN", "LENNY", "LEO"},
	{"MARGARET", "MAGGIE", "MEG", "PEGGY", "MARGE", "MARGIE", "GRETA", "PEG", "DAISY"},
	{"MATTHEW", "MATT", "MATTY"},
	{"MICHAEL", "MIKE", "MICKEY", "MICK", "MIKEY"},
	{"NATHANIEL", "NATE", "NAT", "NATHAN"},
	{"NICHOLAS", "NICK", "NICKY", "NICO"},
	{"PATRICIA", "PAT", "PATTY", "PATSY", "TRISH", "TRICIA"},
	{"PATRICK", "PAT", "PADDY", "RICK"},
	{"PETER", "PETE"},
	{"PHILIP", "PHIL", "PIP"},
	{"RAYMOND", "RAY"},
	{"REBECCA", "BECKY", "BECCA", "BECK"},
	{"RICHARD", "RICK", "RICKY", "DICK", "RICH", "RICHIE"},
	{"ROBERT", "BOB", "BOBBY", "ROB", "ROBBIE", "BERT"},
	{"RONALD", "RON", "RONNIE"},
	{"SAMUEL", "SAM", "SAMMY"},
	{"SAMANTHA", "SAM", "SAMMY", "SAMMIE"},
	{"STEPHEN", "STEVE", "STEVIE"},
	{"STEVEN", "STEVE", "STEVIE"},
	{"SUSAN", "SUE", "SUSIE", "SUZY"},
	{"THEODORE", "TED", "TEDDY", "THEO"},
	{"THOMAS", "TOM", "TOMMY"},
	{"TIMOTHY", "TIM", "TIMMY"},
	{"VICTORIA", "VICKY", "VICKI", "TORI"},
	{"WILLIAM", "BILL", "BILLY", "WILL", "WILLIE", "WILLY", "LIAM"},
	{"ZACHARY", "ZACH", "ZACK"},
}

// nicknameIndex maps a given name (formal or short) to the formal names of
// its groups. It is built once per COA and read-only afterwards.
func nicknameIndex() map[string][]string {
	idx := map[string][]string{}
	for _, g := range nicknameGroups {
		for _, n := range g {
			idx[n] = append(idx[n], g[0])
		}
	}
	return idx
}
