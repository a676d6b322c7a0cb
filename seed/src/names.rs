//! Small word lists that make generated rows read like real CRM data.

pub const FIRST: &[&str] = &[
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Chloe", "Lucas", "Nora", "Owen", "Ivy",
    "Caleb", "Ruby", "Mason", "Leah", "Elias", "Grace", "Miles", "Aria", "Jonah", "Sofia", "Felix",
    "Hazel", "Theo",
];
pub const LAST: &[&str] = &[
    "Garcia", "Nguyen", "Patel", "Kim", "Johnson", "Okafor", "Rossi", "Schmidt", "Silva", "Cohen",
    "Murphy", "Tanaka", "Dubois", "Novak", "Hughes", "Reyes", "Walsh", "Larsen", "Bauer", "Haddad",
];
pub const COMPANY: &[&str] = &[
    "Summit Lending",
    "Bayview Appraisal",
    "Keystone Title",
    "Northwind Realty",
    "Harbor Credit Union",
    "Oakridge Partners",
    "Pioneer Mortgage",
    "Cedar & Main Law",
    "Bluestone Capital",
    "Lakeside AMC",
];
pub const DOMAINS: &[&str] = &[
    "summitlending.com",
    "bayview.io",
    "keystonetitle.net",
    "northwind.co",
    "harborcu.org",
    "oakridge.partners",
    "pioneermtg.com",
    "cedarmain.law",
    "bluestone.capital",
    "lakeside-amc.com",
];
pub const STREETS: &[&str] = &[
    "Maple Ave",
    "Oak St",
    "Pine Rd",
    "Cedar Ln",
    "Elm St",
    "Lakeview Dr",
    "Sunset Blvd",
    "Hillcrest Way",
];
pub const CITIES: &[(&str, &str)] = &[
    ("Austin", "TX"),
    ("Denver", "CO"),
    ("Portland", "OR"),
    ("Raleigh", "NC"),
    ("Tampa", "FL"),
    ("Madison", "WI"),
    ("Boise", "ID"),
    ("Columbus", "OH"),
];
pub const WORDS: &[&str] = &[
    "appraisal",
    "review",
    "follow-up",
    "inspection",
    "valuation",
    "comparables",
    "deadline",
    "invoice",
    "revision",
    "client",
    "property",
    "report",
    "market",
    "update",
    "urgent",
    "schedule",
    "photos",
];
pub const COLORS: &[&str] = &[
    "#3b82f6", "#ef4444", "#10b981", "#f59e0b", "#8b5cf6", "#64748b",
];
