"""Word lists for the sandbox data generator: names, titles, companies, places, marketing.

Plain data plus two text helpers (`slug`, `greek_to_latin`). Lists are written as
"|"-separated strings to stay compact; `generator` expands them once at import.
Seniority codes in `TITLES_TEXT`: X executive (C-level, VP, managing director),
D director / head of, M manager, I individual contributor, N intern.
A title written "male~female" has a gendered form for women. The second half of the module
expands the lists once, at import, into the lookup tables the generator draws from.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType

# code, language, weight, domain TLDs, legal forms ("" = none), phone pattern, cities, gov TLD
COUNTRY_ROWS: tuple[tuple[str, str, int, str, str, str, str, str], ...] = (
    (
        "US",
        "en",
        28,
        "com|com|com|io",
        "Inc.|LLC|Corp.|",
        "+1 ### 555 01##",
        "New York|San Francisco|Austin|Chicago|Boston|Seattle|Denver|Atlanta|Los Angeles|Dallas",
        "gov",
    ),
    (
        "GB",
        "en",
        9,
        "co.uk|co.uk|com|io",
        "Ltd|Ltd|plc|",
        "+44 20 7946 0###",
        "London|Manchester|Birmingham|Leeds|Bristol|Edinburgh|Glasgow|Cambridge",
        "gov.uk",
    ),
    (
        "CA",
        "en",
        4,
        "ca|com",
        "Inc.|Ltd.|",
        "+1 ### 555 01##",
        "Toronto|Vancouver|Montréal|Calgary|Ottawa",
        "ca",
    ),
    ("IE", "en", 1, "ie|com", "Ltd|DAC", "+353 1 ### ####", "Dublin|Cork|Galway", "ie"),
    (
        "AU",
        "en",
        2,
        "com.au",
        "Pty Ltd",
        "+61 2 5550 ####",
        "Sydney|Melbourne|Brisbane|Perth",
        "gov.au",
    ),
    (
        "DE",
        "de",
        9,
        "de|de|com",
        "GmbH|GmbH|AG|GmbH & Co. KG|SE",
        "+49 30 #######",
        "Berlin|München|Hamburg|Köln|Frankfurt am Main|Stuttgart|Düsseldorf|Leipzig",
        "de",
    ),
    ("AT", "de", 1, "at", "GmbH|AG", "+43 1 #######", "Wien|Graz|Linz|Salzburg", "gv.at"),
    ("CH", "de", 1, "ch", "AG|GmbH|SA", "+41 44 ### ## ##", "Zürich|Basel|Bern|Luzern", "ch"),
    (
        "FR",
        "fr",
        7,
        "fr|fr|com",
        "SAS|SA|SARL",
        "+33 1 ## ## ## ##",
        "Paris|Lyon|Marseille|Toulouse|Nice|Nantes|Bordeaux|Lille",
        "gouv.fr",
    ),
    ("BE", "fr", 1, "be", "SA|SRL|NV", "+32 2 ### ## ##", "Bruxelles|Liège|Namur|Charleroi", "be"),
    (
        "ES",
        "es",
        6,
        "es|es|com",
        "S.L.|S.A.",
        "+34 91 ### ## ##",
        "Madrid|Barcelona|Valencia|Sevilla|Bilbao|Málaga|Zaragoza",
        "gob.es",
    ),
    (
        "MX",
        "es",
        2,
        "com.mx",
        "S.A. de C.V.",
        "+52 55 #### ####",
        "Ciudad de México|Guadalajara|Monterrey|Puebla",
        "gob.mx",
    ),
    (
        "TR",
        "tr",
        9,
        "com.tr|com.tr|com",
        "A.Ş.|Ltd. Şti.",
        "+90 212 ### ## ##",
        "İstanbul|Ankara|İzmir|Bursa|Antalya|Kocaeli|Eskişehir|Gaziantep",
        "gov.tr",
    ),
    (
        "GR",
        "el",
        6,
        "gr|gr|com",
        "Α.Ε.|Ε.Π.Ε.|A.E.",
        "+30 21# ### ####",
        "Αθήνα|Θεσσαλονίκη|Πάτρα|Ηράκλειο|Λάρισα|Βόλος",
        "gov.gr",
    ),
    (
        "NL",
        "nl",
        4,
        "nl|nl|com",
        "B.V.|N.V.",
        "+31 20 ### ####",
        "Amsterdam|Rotterdam|Utrecht|Den Haag|Eindhoven|Groningen",
        "nl",
    ),
)

# industry, weight, English words for company names
INDUSTRIES: tuple[tuple[str, int, str], ...] = (
    ("Technology", 24, "Software|Systems|Labs|Analytics|Technologies|Cloud|Data"),
    ("Financial Services", 10, "Capital|Financial|Insurance|Partners|Asset Management"),
    ("Healthcare", 9, "Health|Medical|Care|Clinics|Pharma"),
    ("Manufacturing", 11, "Industries|Manufacturing|Components|Machinery|Plastics"),
    ("Retail", 9, "Retail|Stores|Goods|Market|Fashion"),
    ("Education", 5, "Learning|Academy|Education|Institute"),
    ("Automotive", 6, "Motors|Automotive|Auto Group|Car Center"),
    ("Energy", 5, "Energy|Power|Solar|Utilities"),
    ("Media", 5, "Media|Studios|Publishing|Digital"),
    ("Government", 3, ""),
    ("Logistics", 5, "Logistics|Freight|Transport|Shipping"),
    ("Professional Services", 6, "Consulting|Advisory|Partners|Group"),
    ("Telecommunications", 2, "Telecom|Networks|Communications"),
)

# localised company-name words per industry (English words above are used as well)
INDUSTRY_WORDS: dict[str, dict[str, str]] = {
    "tr": {
        "Technology": "Yazılım|Bilişim|Teknoloji",
        "Financial Services": "Finans|Sigorta",
        "Healthcare": "Sağlık|İlaç",
        "Manufacturing": "Sanayi|Makine|Tekstil",
        "Retail": "Mağazacılık|Ticaret",
        "Education": "Eğitim|Kolej",
        "Automotive": "Otomotiv",
        "Energy": "Enerji",
        "Media": "Medya|Yayıncılık",
        "Logistics": "Lojistik|Nakliyat",
        "Professional Services": "Danışmanlık",
    },
    "el": {
        "Technology": "Λογισμικό|Πληροφορική|Τεχνολογίες",
        "Financial Services": "Επενδύσεις|Ασφαλιστική",
        "Healthcare": "Υγεία|Ιατρική",
        "Manufacturing": "Βιομηχανία|Κατασκευές",
        "Retail": "Εμπορική|Καταστήματα",
        "Education": "Εκπαίδευση",
        "Automotive": "Αυτοκίνητα",
        "Energy": "Ενέργεια",
        "Media": "Εκδόσεις",
        "Logistics": "Μεταφορές",
        "Professional Services": "Σύμβουλοι",
    },
    "de": {
        "Technology": "Software|Informatik|Datentechnik",
        "Financial Services": "Finanz|Versicherungen",
        "Healthcare": "Medizintechnik|Klinik",
        "Manufacturing": "Maschinenbau|Metallbau|Anlagenbau",
        "Retail": "Handel|Warenhaus",
        "Education": "Akademie|Bildung",
        "Automotive": "Autohaus|Fahrzeugtechnik",
        "Energy": "Energie|Stadtwerke",
        "Media": "Medien|Verlag",
        "Logistics": "Logistik|Spedition",
        "Professional Services": "Beratung",
    },
    "fr": {
        "Technology": "Logiciels|Informatique|Numérique",
        "Financial Services": "Finance|Assurances",
        "Healthcare": "Santé|Pharma",
        "Manufacturing": "Industrie|Mécanique",
        "Retail": "Distribution|Boutiques",
        "Education": "Formation|École",
        "Automotive": "Automobiles",
        "Energy": "Énergie",
        "Media": "Médias|Éditions",
        "Logistics": "Transports|Logistique",
        "Professional Services": "Conseil",
    },
    "es": {
        "Technology": "Tecnologías|Informática|Soluciones",
        "Financial Services": "Finanzas|Seguros",
        "Healthcare": "Salud|Farma",
        "Manufacturing": "Industrias|Fabricaciones",
        "Retail": "Distribuciones|Comercial",
        "Education": "Formación|Academia",
        "Automotive": "Automoción|Motor",
        "Energy": "Energía|Renovables",
        "Media": "Medios|Ediciones",
        "Logistics": "Logística|Transportes",
        "Professional Services": "Consultores",
    },
    "nl": {
        "Technology": "Software|ICT",
        "Manufacturing": "Techniek",
        "Logistics": "Logistiek",
        "Energy": "Energie",
        "Healthcare": "Zorg",
        "Retail": "Handel",
    },
}

GOVERNMENT: dict[str, str] = {
    "en": "City of {c}|{c} County Council|{c} Transit Authority|{c} Housing Authority",
    "de": "Stadt {c}|Stadtwerke {c}|Landratsamt {c}",
    "fr": "Ville de {c}|Métropole de {c}|Préfecture de {c}",
    "es": "Ayuntamiento de {c}|Diputación de {c}|Consorcio de Transportes de {c}",
    "tr": "{c} Büyükşehir Belediyesi|{c} Valiliği|{c} İl Sağlık Müdürlüğü",
    "el": "Δήμος Αθηναίων|Δήμος Θεσσαλονίκης|Δήμος Πατρέων|Περιφέρεια Κρήτης|Περιφέρεια Αττικής",
    "nl": "Gemeente {c}|Provincie {c}|Waterschap {c}",
}

BRAND_HEADS = (
    "North|Blue|Iron|Bright|Silver|Red|Green|Stone|Clear|Swift|Oak|Pine|Star|Sun|"
    "Ever|True|Cloud|Harbor|Summit|Cedar|Maple|Golden|Crystal|Eagle|Falcon|Granite|"
    "River|Lake|Hill|West|East|South|Nova|Terra|Alpha|Vertex"
)
BRAND_TAILS = (
    "wind|peak|bridge|line|leaf|wood|field|gate|stone|point|view|path|works|ridge|way|"
    "light|wave|port|crest|dale|mark|sphere|forge|stream"
)
LOCAL_BRANDS_TEXT: dict[str, str] = {
    "tr": "Anadolu|Ege|Marmara|Yıldız|Karadeniz|Boğaziçi|Toros|Kuzey|Güneş|Akdeniz|Çınar|Başak",
    "el": "Αιγαίο|Όλυμπος|Ερμής|Αθηνά|Πήγασος|Ίκαρος|Δελφοί|Ποσειδών|Ιόνιο|Ήλιος",
    "de": "Nordstern|Rheinland|Alpen|Schwarzwald|Hansa|Elbe|Isar|Sonnenberg|Bodensee|Löwen",
    "fr": "Lumière|Horizon|Atlantique|Provence|Étoile|Azur|Montblanc|Mistral|Rivage",
    "es": "Iberia|Alborán|Mediterráneo|Castilla|Ébano|Levante|Tajo|Cantábrico|Guadalquivir",
    "nl": "Oranje|Delta|Noordzee|Polder|Tulp|Zeeland|Amstel|Duin",
    "en": "Acme|Initech|Globex|Vandelay|Wayne|Stark|Umbrella|Hooli|Pied Piper|Dunder",
}

# name, domain: competitors of the vendor; they show up as Technology companies too
COMPETITORS: tuple[tuple[str, str], ...] = (
    ("RivalScore", "rivalscore.io"),
    ("LeadPulse", "leadpulse.io"),
    ("ScoreStack", "scorestack.com"),
)

FIRST_M: dict[str, str] = {
    "en": "James|John|Robert|Michael|William|David|Richard|Joseph|Thomas|Daniel|Matthew|Andrew|"
    "Ryan|Kevin|Brian|Jason|Ethan|Noah|Liam|Oliver|Raj|Wei",
    "tr": "Mehmet|Mustafa|Ahmet|Ali|Hüseyin|Hasan|İbrahim|İsmail|Osman|Yusuf|Murat|Emre|Burak|"
    "Can|Oğuz|Serkan|Çağlar|Barış|Kerem|Gökhan",
    "el": "Γιώργος|Δημήτρης|Κωνσταντίνος|Γιάννης|Νίκος|Παναγιώτης|Βασίλης|Χρήστος|Αθανάσιος|"
    "Μιχάλης|Ευάγγελος|Σπύρος|Αντώνης|Στέλιος|Θανάσης",
    "de": "Lukas|Maximilian|Jonas|Felix|Leon|Paul|Tobias|Stefan|Michael|Thomas|Andreas|Jürgen|"
    "Matthias|Sebastian|Florian|Jörg|Uwe|Klaus|Björn|Dominik",
    "fr": "Jean|Pierre|Michel|Philippe|Nicolas|Julien|Thomas|Antoine|Mathieu|François|Sébastien|"
    "Jérôme|Frédéric|Stéphane|Louis|Hugo|Théo|Rémi|Benoît|Cédric",
    "es": "Antonio|José|Manuel|Francisco|David|Juan|Javier|Daniel|Carlos|Jesús|Alejandro|Miguel|"
    "Rafael|Pablo|Sergio|Álvaro|Adrián|Íñigo|Raúl|Andrés",
    "nl": "Jan|Pieter|Daan|Sem|Thijs|Lucas|Bram|Ruben|Jeroen|Bas|Niels|Joost|Wouter|Maarten|Sander",
}
FIRST_F: dict[str, str] = {
    "en": "Mary|Jennifer|Linda|Sarah|Jessica|Emily|Emma|Olivia|Sophia|Hannah|Grace|Chloe|Megan|"
    "Laura|Rachel|Amanda|Nicole|Lauren|Ashley|Charlotte|Priya|Mei",
    "tr": "Ayşe|Fatma|Emine|Hatice|Zeynep|Elif|Meryem|Şerife|Özlem|Gül|Selin|Deniz|Ebru|Büşra|"
    "Tuğba|Merve|İpek|Çiğdem|Gizem|Sevgi",
    "el": "Μαρία|Ελένη|Αικατερίνη|Βασιλική|Σοφία|Αγγελική|Γεωργία|Δήμητρα|Κωνσταντίνα|Παρασκευή|"
    "Ευαγγελία|Χριστίνα|Ιωάννα|Αναστασία|Δέσποινα",
    "de": "Anna|Lena|Julia|Laura|Sarah|Katharina|Sophie|Marie|Hannah|Lea|Sabine|Petra|Claudia|"
    "Stefanie|Jana|Anja|Birgit|Ute|Franziska|Carolin",
    "fr": "Marie|Nathalie|Isabelle|Sylvie|Catherine|Sophie|Camille|Léa|Chloé|Manon|Émilie|Céline|"
    "Aurélie|Élodie|Hélène|Margaux|Inès|Clémence|Amélie|Océane",
    "es": "María|Carmen|Ana|Isabel|Laura|Lucía|Marta|Cristina|Paula|Elena|Sara|Andrea|Raquel|"
    "Nuria|Sofía|Beatriz|Inés|Begoña|Rocío|Pilar",
    "nl": "Emma|Sanne|Lotte|Femke|Anouk|Eva|Fleur|Iris|Lieke|Marieke|Sophie|Noor|Anne|Esther|Ilse",
}
LAST_TEXT: dict[str, str] = {
    "en": "Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Thomas|Moore|"
    "Martin|Jackson|Thompson|White|Harris|Clark|Lewis|Walker|Hall|Young|King|Wright|Scott|"
    "Green|Baker|Adams|Nelson|Hill|Campbell|Mitchell|O'Brien|Murphy|Patel|Nguyen|Chen|Kim",
    "tr": "Yılmaz|Kaya|Demir|Şahin|Çelik|Yıldız|Yıldırım|Öztürk|Aydın|Özdemir|Arslan|Doğan|"
    "Kılıç|Aslan|Çetin|Kara|Koç|Kurt|Özkan|Şimşek|Polat|Korkmaz|Erdoğan|Güneş|Aksoy",
    "el": "Παπαδόπουλος~Παπαδοπούλου|Παπαδάκης~Παπαδάκη|Γεωργίου|Οικονόμου|Νικολάου|"
    "Παπαγεωργίου|Βασιλείου|Δημητρίου|Ιωάννου|Κωνσταντίνου|Αθανασίου|Χριστοδούλου|"
    "Αντωνίου|Μακρής~Μακρή|Πετρόπουλος~Πετροπούλου|Καραγιάννης~Καραγιάννη|Αλεξίου|"
    "Κωστόπουλος~Κωστοπούλου|Παππάς~Παππά|Λαμπράκης~Λαμπράκη|Ζαχαρίου",
    "de": "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|"
    "Koch|Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|"
    "Hofmann|Hartmann|Lange|Weiß|Jäger|Köhler|Vogel|Groß",
    "fr": "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent|"
    "Lefèvre|Michel|Garcia|David|Bertrand|Roux|Vincent|Fournier|Morel|Girard|André|"
    "Mercier|Dupont|Lambert|Bonnet|Faure|Rousseau",
    "es": "García|Rodríguez|González|Fernández|López|Martínez|Sánchez|Pérez|Gómez|Martín|"
    "Jiménez|Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Alonso|Gutiérrez|Navarro|"
    "Torres|Domínguez|Vázquez|Ramos|Castillo|Núñez|Ibáñez",
    "nl": "de Vries|van den Berg|Jansen|Bakker|Visser|de Jong|van Dijk|Smit|Meijer|Mulder|"
    "de Boer|Bos|Vos|Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra",
}

# "title:seniority:department|…"
TITLES_TEXT: dict[str, str] = {
    "en": "CEO:X:Executive|CTO:X:Engineering|CFO:X:Finance|COO:X:Operations|CMO:X:Marketing|"
    "Founder & CEO:X:Executive|VP Engineering:X:Engineering|VP Sales:X:Sales|"
    "VP Marketing:X:Marketing|Chief Revenue Officer:X:Sales|Managing Director:X:Executive|"
    "President:X:Executive|CIO:X:IT|Director of Sales:D:Sales|"
    "Director of Marketing:D:Marketing|IT Director:D:IT|Head of Product:D:Product|"
    "Finance Director:D:Finance|Director of Engineering:D:Engineering|"
    "Head of Operations:D:Operations|Marketing Manager:M:Marketing|Sales Manager:M:Sales|"
    "Engineering Manager:M:Engineering|Project Manager:M:Operations|"
    "Product Manager:M:Product|IT Manager:M:IT|Account Manager:M:Sales|"
    "Finance Manager:M:Finance|HR Manager:M:HR|Office Manager:M:Operations|"
    "Software Engineer:I:Engineering|Senior Software Engineer:I:Engineering|"
    "Analyst:I:Finance|Data Analyst:I:IT|Marketing Specialist:I:Marketing|"
    "Sales Representative:I:Sales|Account Executive:I:Sales|Accountant:I:Finance|"
    "Systems Administrator:I:IT|Executive Assistant:I:Executive|Consultant:I:Operations|"
    "Designer:I:Product|Recruiter:I:HR|Buyer:I:Purchasing|Intern:N:Marketing|"
    "Marketing Intern:N:Marketing|Engineering Intern:N:Engineering",
    "tr": "Genel Müdür:X:Executive|Yönetim Kurulu Başkanı:X:Executive|"
    "Genel Müdür Yardımcısı:X:Executive|Kurucu Ortak:X:Executive|"
    "Satış Direktörü:D:Sales|Pazarlama Direktörü:D:Marketing|"
    "İnsan Kaynakları Direktörü:D:HR|Bilgi Teknolojileri Direktörü:D:IT|"
    "Satış Müdürü:M:Sales|Pazarlama Müdürü:M:Marketing|Bilgi İşlem Müdürü:M:IT|"
    "Finans Müdürü:M:Finance|Proje Yöneticisi:M:Operations|Ürün Müdürü:M:Product|"
    "Satınalma Müdürü:M:Purchasing|Yazılım Mühendisi:I:Engineering|"
    "Satış Temsilcisi:I:Sales|Muhasebe Uzmanı:I:Finance|Pazarlama Uzmanı:I:Marketing|"
    "Analist:I:Finance|Sistem Yöneticisi:I:IT|Yönetici Asistanı:I:Executive|"
    "Stajyer:N:Marketing",
    "el": "Διευθύνων Σύμβουλος:X:Executive|Γενικός Διευθυντής~Γενική Διευθύντρια:X:Executive|"
    "Πρόεδρος:X:Executive|Οικονομικός Διευθυντής~Οικονομική Διευθύντρια:X:Finance|"
    "Διευθυντής Πωλήσεων~Διευθύντρια Πωλήσεων:D:Sales|"
    "Διευθυντής Μάρκετινγκ~Διευθύντρια Μάρκετινγκ:D:Marketing|"
    "Διευθυντής Πληροφορικής~Διευθύντρια Πληροφορικής:D:IT|"
    "Υπεύθυνος Πωλήσεων~Υπεύθυνη Πωλήσεων:M:Sales|"
    "Υπεύθυνος Μάρκετινγκ~Υπεύθυνη Μάρκετινγκ:M:Marketing|"
    "Προϊστάμενος Λογιστηρίου~Προϊσταμένη Λογιστηρίου:M:Finance|"
    "Υπεύθυνος Έργου~Υπεύθυνη Έργου:M:Operations|Μηχανικός Λογισμικού:I:Engineering|"
    "Λογιστής~Λογίστρια:I:Finance|Πωλητής~Πωλήτρια:I:Sales|Αναλυτής~Αναλύτρια:I:Finance|"
    "Τεχνικός Υποστήριξης:I:IT|Ασκούμενος~Ασκούμενη:N:Marketing",
    "de": "Geschäftsführer~Geschäftsführerin:X:Executive|"
    "Vorstandsvorsitzender~Vorstandsvorsitzende:X:Executive|CTO:X:Engineering|"
    "Kaufmännischer Leiter~Kaufmännische Leiterin:X:Finance|"
    "Leiter Vertrieb~Leiterin Vertrieb:D:Sales|"
    "Leiter Marketing~Leiterin Marketing:D:Marketing|"
    "IT-Leiter~IT-Leiterin:D:IT|Bereichsleiter Finanzen~Bereichsleiterin Finanzen:D:Finance|"
    "Teamleiter Entwicklung~Teamleiterin Entwicklung:M:Engineering|"
    "Marketing Manager:M:Marketing|Projektleiter~Projektleiterin:M:Operations|"
    "Key Account Manager:M:Sales|Einkaufsleiter~Einkaufsleiterin:M:Purchasing|"
    "Softwareentwickler~Softwareentwicklerin:I:Engineering|"
    "Sachbearbeiter~Sachbearbeiterin:I:Operations|"
    "Vertriebsmitarbeiter~Vertriebsmitarbeiterin:I:Sales|Buchhalter~Buchhalterin:I:Finance|"
    "Systemadministrator~Systemadministratorin:I:IT|Praktikant~Praktikantin:N:Marketing|"
    "Werkstudent~Werkstudentin:N:Engineering",
    "fr": "Directeur général~Directrice générale:X:Executive|"
    "Président-directeur général~Présidente-directrice générale:X:Executive|"
    "Directeur technique~Directrice technique:X:Engineering|"
    "Directeur financier~Directrice financière:X:Finance|"
    "Directeur commercial~Directrice commerciale:D:Sales|"
    "Directeur marketing~Directrice marketing:D:Marketing|"
    "Directeur des systèmes d'information~Directrice des systèmes d'information:D:IT|"
    "Responsable marketing:M:Marketing|"
    "Responsable commercial~Responsable commerciale:M:Sales|"
    "Chef de projet~Cheffe de projet:M:Operations|Responsable informatique:M:IT|"
    "Responsable des achats:M:Purchasing|"
    "Ingénieur logiciel~Ingénieure logiciel:I:Engineering|"
    "Chargé d'affaires~Chargée d'affaires:I:Sales|Comptable:I:Finance|"
    "Développeur~Développeuse:I:Engineering|"
    "Assistant de direction~Assistante de direction:I:Executive|Stagiaire:N:Marketing",
    "es": "Director General~Directora General:X:Executive|"
    "Consejero Delegado~Consejera Delegada:X:Executive|"
    "Director Financiero~Directora Financiera:X:Finance|"
    "Director de Tecnología~Directora de Tecnología:X:Engineering|"
    "Director Comercial~Directora Comercial:D:Sales|"
    "Director de Marketing~Directora de Marketing:D:Marketing|"
    "Director de Sistemas~Directora de Sistemas:D:IT|Gerente de Ventas:M:Sales|"
    "Jefe de Proyecto~Jefa de Proyecto:M:Operations|Responsable de Marketing:M:Marketing|"
    "Jefe de Compras~Jefa de Compras:M:Purchasing|Gerente de TI:M:IT|"
    "Ingeniero de Software~Ingeniera de Software:I:Engineering|Analista:I:Finance|"
    "Comercial:I:Sales|Contable:I:Finance|Técnico de Sistemas~Técnica de Sistemas:I:IT|"
    "Becario~Becaria:N:Marketing",
}

FREEMAIL_TEXT: dict[str, str] = {
    "en": "gmail.com|gmail.com|gmail.com|gmail.com|yahoo.com|hotmail.com|outlook.com|icloud.com|"
    "aol.com",
    "de": "gmail.com|gmx.de|gmx.de|web.de|web.de|t-online.de|outlook.com",
    "fr": "gmail.com|gmail.com|orange.fr|orange.fr|hotmail.fr|laposte.net|free.fr",
    "es": "gmail.com|gmail.com|gmail.com|hotmail.es|hotmail.es|yahoo.es|outlook.es",
    "tr": "gmail.com|gmail.com|gmail.com|hotmail.com|hotmail.com|yandex.com|yandex.com|outlook.com",
    "el": "gmail.com|gmail.com|gmail.com|yahoo.gr|yahoo.gr|hotmail.com|otenet.gr",
    "nl": "gmail.com|gmail.com|hotmail.nl|ziggo.nl|kpnmail.nl|outlook.com",
}
UNIVERSITIES_TEXT: dict[str, str] = {
    "en": "University of Toronto|Boston University|University of Leeds|State University",
    "tr": "Boğaziçi Üniversitesi|Orta Doğu Teknik Üniversitesi|İstanbul Teknik Üniversitesi",
    "el": "Εθνικό Μετσόβιο Πολυτεχνείο|Αριστοτέλειο Πανεπιστήμιο Θεσσαλονίκης",
    "de": "TU München|Universität Hamburg|ETH Zürich",
    "fr": "Sorbonne Université|Université de Lyon|Université libre de Bruxelles",
    "es": "Universidad Complutense de Madrid|Universitat de Barcelona|UNAM",
    "nl": "Universiteit van Amsterdam|TU Delft",
}

SITE = "https://syncd-demo.example"
# path, weight for casual browsing, weight for buying intent
PAGES: tuple[tuple[str, int, int], ...] = (
    ("/", 12, 4),
    ("/product", 6, 6),
    ("/product/integrations", 3, 5),
    ("/pricing", 3, 12),
    ("/demo", 1, 7),
    ("/customers", 2, 5),
    ("/blog/what-is-lead-scoring", 6, 1),
    ("/blog/mql-vs-sql", 4, 1),
    ("/blog/salesforce-hubspot-sync", 4, 2),
    ("/blog/revops-metrics-2025", 3, 1),
    ("/docs/getting-started", 2, 3),
    ("/careers", 3, 0),
    ("/careers/senior-backend-engineer", 2, 0),
    ("/about", 3, 1),
    ("/contact", 2, 2),
    ("/directions", 1, 1),
    ("/security", 1, 3),
)
FORMS_TEXT = (
    "Contact us|Newsletter signup|Demo request|Webinar registration|Ebook download|"
    "Vehicle interest - test drive|Trial signup|Get a quote"
)
ASSETS_TEXT = (
    "How Northwind doubled MQLs:case_study|Globex cuts lead response time:case_study|"
    "Acme scales RevOps:case_study|Lead scoring playbook:ebook|The MQL handbook:ebook|"
    "State of RevOps report:whitepaper|CRM data quality whitepaper:whitepaper"
)
SUBJECTS_TEXT = (
    "Discovery call|Intro call|Product demo|Pricing discussion|Follow-up|"
    "Technical deep dive|Onboarding kickoff|Quarterly business review"
)
EVENTS_TEXT = "RevOps Summit London|SaaStr Europa|Web Summit Lisbon|Dreamforce|INBOUND|DMEXCO Köln"
SUPPORT_PROSPECT = "sales|sales|sales|technical|billing"
SUPPORT_CUSTOMER = "technical|technical|billing|onboarding|feature_request|bug|sales"
USAGE_METRICS = "logins|logins|active_users|api_calls|records_synced"

_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψω",
        (
            "a",
            "v",
            "g",
            "d",
            "e",
            "z",
            "i",
            "th",
            "i",
            "k",
            "l",
            "m",
            "n",
            "x",
            "o",
            "p",
            "r",
            "s",
            "s",
            "t",
            "y",
            "f",
            "ch",
            "ps",
            "o",
        ),
        strict=True,
    )
)
_GREEK_PAIRS = {
    "ου": "ou",
    "ευ": "ev",
    "αυ": "av",
    "αι": "ai",
    "ει": "ei",
    "οι": "oi",
    "μπ": "mp",
    "ντ": "nt",
    "γγ": "ng",
}
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SPECIAL = str.maketrans({"ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l"})


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def greek_to_latin(text: str) -> str:
    """Transliterate Greek (simplified ELOT 743), keeping capitalisation of the first letter."""
    plain = _strip_marks(text)
    low = plain.lower()
    out: list[str] = []
    i = 0
    while i < len(low):
        pair = low[i : i + 2]
        if pair in _GREEK_PAIRS:
            out.append(_GREEK_PAIRS[pair])
            i += 2
            continue
        out.append(_GREEK.get(low[i], low[i]))
        i += 1
    latin = "".join(out)
    return latin[:1].upper() + latin[1:] if plain[:1].isupper() else latin


def slug(text: str, lang: str = "en") -> str:
    """Lower-case ASCII letters and digits only, as used in e-mail addresses and domains."""
    low = text.lower()
    if lang == "el":
        low = greek_to_latin(low)
    elif lang == "de":
        low = low.translate(_GERMAN)
    low = _strip_marks(low.replace("İ".lower(), "i").translate(_SPECIAL))
    return "".join(ch for ch in low if ch.isascii() and ch.isalnum())


# ---------------------------------------------------------------- tables derived once at import


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split("|")) if text else ()


def _weighted(pairs: Sequence[tuple[str, int]]) -> str:
    return "".join(code * weight for code, weight in pairs)


class Country:
    __slots__ = ("cities", "code", "gov", "gov_tld", "lang", "legal", "phone", "tlds")

    def __init__(self, row: tuple[str, str, int, str, str, str, str, str]) -> None:
        self.code, self.lang, _, tlds, legal, phone, cities, self.gov_tld = row
        self.tlds, self.legal, self.cities = _split(tlds), _split(legal), _split(cities)
        self.phone = phone.replace("%", "%%").replace("#", "%s"), phone.count("#")
        self.gov = _split(GOVERNMENT[self.lang])


COUNTRIES = tuple(Country(row) for row in COUNTRY_ROWS)
COUNTRY_PICK = tuple(
    c for c, row in zip(COUNTRIES, COUNTRY_ROWS, strict=True) for _ in range(row[2])
)
INDUSTRY_PICK = tuple(name for name, weight, _ in INDUSTRIES for _ in range(weight))
INDUSTRY_EN = {name: _split(words) for name, _, words in INDUSTRIES}
INDUSTRY_LOCAL = {
    lang: {ind: _split(w) for ind, w in table.items()} for lang, table in INDUSTRY_WORDS.items()
}
BRANDS = tuple(h + t for h in _split(BRAND_HEADS) for t in _split(BRAND_TAILS))
LOCAL_BRANDS = {lang: _split(text) for lang, text in LOCAL_BRANDS_TEXT.items()}
COMPETITOR_DOMAINS = frozenset(domain for _, domain in COMPETITORS)
FREEMAIL = {lang: _split(text) for lang, text in FREEMAIL_TEXT.items()}
FREE_MAIL_DOMAINS: frozenset[str] = frozenset(d for ds in FREEMAIL.values() for d in ds)
UNIVERSITIES = {lang: _split(text) for lang, text in UNIVERSITIES_TEXT.items()}

Name = tuple[str, str, str]  # display, e-mail slug, Latin-script display


def _names(text: str, lang: str) -> tuple[Name, ...]:
    return tuple((n, slug(n, lang), greek_to_latin(n) if lang == "el" else n) for n in _split(text))


FIRST = {lang: (_names(FIRST_M[lang], lang), _names(FIRST_F[lang], lang)) for lang in FIRST_M}
LAST = {
    lang: tuple(
        (_names(n.split("~")[0], lang)[0], _names(n.split("~")[-1], lang)[0])
        for n in _split(LAST_TEXT[lang])
    )
    for lang in LAST_TEXT
}

Title = tuple[str, str, str]  # male form, female form, department
TITLES: dict[str, dict[str, tuple[Title, ...]]] = {}
SENIORITY: dict[str, str] = {}
"""Title (either gendered form, as generated) -> seniority code: X exec, D, M, I, N intern."""
for _lang, _text in TITLES_TEXT.items():
    TITLES[_lang] = {}
    for _entry in _split(_text):
        _title, _sen, _dept = _entry.split(":")
        _male, _female = _title.split("~")[0], _title.split("~")[-1]
        TITLES[_lang].setdefault(_sen, ())
        TITLES[_lang][_sen] += ((_male, _female, _dept),)
        SENIORITY[_male] = SENIORITY[_female] = _sen
SEN_SMALL = _weighted((("X", 18), ("D", 7), ("M", 22), ("I", 45), ("N", 8)))
SEN_LARGE = _weighted((("X", 8), ("D", 12), ("M", 26), ("I", 47), ("N", 7)))
SEN_FIT = {"X": 2.0, "D": 1.4, "M": 1.0, "I": 0.3, "N": 0.0, "S": 0.0}
STATUS = {
    "lead": _split("NEW|NEW|NEW|OPEN|OPEN|ATTEMPTED_TO_CONTACT|UNQUALIFIED|BAD_TIMING"),
    "marketingqualifiedlead": _split("OPEN|OPEN|IN_PROGRESS|ATTEMPTED_TO_CONTACT"),
    "salesqualifiedlead": _split("IN_PROGRESS|CONNECTED"),
    "opportunity": _split("OPEN_DEAL|OPEN_DEAL|OPEN_DEAL|CONNECTED"),
    "customer": ("CONNECTED",),
}
IS_LEAD_P = {
    "lead": 0.95,
    "marketingqualifiedlead": 0.9,
    "salesqualifiedlead": 0.6,
    "opportunity": 0.2,
}

# activity tables: attrs are shared read-only mappings; `bits` flag engagement for the label
PRICING, DEMO, WEBINAR, SALES, TRIAL = 1, 2, 4, 8, 16
ENGAGEMENT = tuple(
    sum(
        w
        for b, w in ((PRICING, 1.0), (DEMO, 1.5), (WEBINAR, 1.0), (SALES, 1.2), (TRIAL, 1.0))
        if bits & b
    )
    for bits in range(32)
)
Attrs = tuple[Mapping[str, str], int]


def attrs(bits: int = 0, **values: str) -> Attrs:
    return MappingProxyType(values), bits


def url_bits(url: str) -> int:
    return (PRICING if "/pricing" in url else 0) | (DEMO if "/demo" in url else 0)


PAGE = {path: attrs(url_bits(path), url=SITE + path) for path, _, _ in PAGES}
BROWSE = tuple(PAGE[p] for p, w, _ in PAGES for _ in range(w))
BUY = tuple(PAGE[p] for p, _, w in PAGES for _ in range(w))
FORMS = {f: attrs(form=f) for f in _split(FORMS_TEXT)}
FORM_PICK = tuple(
    FORMS[f]
    for f in _split(FORMS_TEXT)
    if f not in ("Demo request", "Trial signup")
    for _ in range(3 if f in ("Contact us", "Newsletter signup") else 1)
)
ASSETS = tuple(attrs(asset=a.split(":")[0], kind=a.split(":")[1]) for a in _split(ASSETS_TEXT))
SUBJECTS = tuple(attrs(SALES, subject=s) for s in _split(SUBJECTS_TEXT))
EVENTS = tuple(attrs(campaign=e) for e in _split(EVENTS_TEXT))
SUPPORT_P = tuple(attrs(category=c) for c in _split(SUPPORT_PROSPECT))
SUPPORT_C = tuple(attrs(category=c) for c in _split(SUPPORT_CUSTOMER))
USAGE = tuple(
    attrs(metric=m, value=str(v))
    for m in _split(USAGE_METRICS)
    for v in (1, 2, 3, 5, 8, 12, 20, 35, 60, 120)
)
SALES_REPLY = attrs(SALES, campaign="Sales outreach")
QBR = attrs(SALES, subject="Quarterly business review")
# session kinds: e-mail, web, content, webinar, chat, event, support, sales, trial
KINDS_LOW = _weighted(
    (("e", 12), ("w", 8), ("c", 3), ("b", 2), ("h", 1), ("v", 1), ("s", 1), ("l", 1), ("t", 1))
)
KINDS_HIGH = _weighted(
    (("e", 8), ("w", 10), ("c", 3), ("b", 5), ("h", 1), ("v", 1), ("s", 1), ("l", 5), ("t", 3))
)
