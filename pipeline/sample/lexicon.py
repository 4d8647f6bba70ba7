"""Word lists for the sample's text generator: six languages of encyclopedic prose, plus English
web-page, narrative and forum vocabularies.

Entries are ordered roughly from common to rare; the generator draws them with Zipf weights, so
the first words of each list dominate as in real text. Gendered languages carry the gender
(m/f/n) before the noun; Finnish nouns carry nominative, genitive and locative forms.
"""

from __future__ import annotations


def words(text: str) -> list[str]:
    """Split a `|`-separated list, trimming spaces (entries may contain spaces)."""
    return [w.strip() for w in text.split("|") if w.strip()]


EN = {
    "nouns": words(
        "town|river|castle|church|bridge|village|valley|mountain|harbour|railway|museum|library|"
        "university|council|market|monastery|fortress|lake|island|forest|road|canal|station|mill|"
        "cathedral|tower|province|district|region|border|coast|garden|palace|school|theatre|"
        "factory|mine|port|dam|abbey|parish|square|gate|wall|farm|estate|chapel|hospital|newspaper|"
        "company|society|army|king|duke|bishop|merchant|family|government|parliament|court|"
        "festival|dialect|manuscript|painting|collection|treaty|trade route|water supply|"
        "town hall|city wall|lighthouse|observatory|vineyard|quarry|shipyard|orchestra|brewery"
    ),
    "adjectives": words(
        "old|new|large|small|northern|southern|eastern|western|ancient|medieval|modern|local|royal|"
        "main|historic|important|famous|narrow|wide|central|upper|lower|rural|public|private|"
        "wooden|stone|early|late|major|former|regional|national|military|religious|economic|"
        "coastal|fortified|abandoned|prosperous"
    ),
    "verbs": words(
        "built|crossed|described|connected|replaced|founded|destroyed|restored|visited|surrounded|"
        "supplied|controlled|acquired|expanded|protected|defended|inherited|documented|renamed|"
        "rebuilt|opened|closed|served|reached|joined|divided|governed|financed|designed|completed|"
        "purchased|sold|mapped|excavated"
    ),
    "predicates": words(
        "important|prosperous|independent|abandoned|small|famous|closed|neglected|powerful|"
        "isolated|well known|largely rural|under construction"
    ),
    "adverbs": words(
        "later|eventually|gradually|originally|also|still|already|soon|finally|largely|briefly"
    ),
    "connectors": words(
        "However|In addition|Later|During this period|Since then|At that time|As a result|"
        "Nevertheless|Afterwards|For this reason|In the following decades|By contrast"
    ),
    "prepositions": words(
        "in|near|along|across|beyond|within|behind|beside|through|above|below|around|north of|"
        "south of|east of|west of|close to"
    ),
    "units": words(
        "inhabitants|kilometres|metres|visitors|workers|students|books|hectares|soldiers|houses|"
        "pupils|ships|members"
    ),
    "syllables": words(
        "mor|van|ost|ra|bel|ford|ley|ton|ash|wick|dal|en|har|row|kel|mont|brid|wen|tor|ling|"
        "ham|sted|ber|ey|gar|ris|lan|ock|thorn|mere"
    ),
    "kinds": words("River|Castle|Abbey|Bridge|Lake|Hill|Priory|Railway|Manor|Forest|Harbour"),
}

DE = {
    "nouns": words(
        "f Stadt|m Fluss|f Burg|f Kirche|f Brücke|n Dorf|n Tal|m Berg|m Hafen|f Eisenbahn|"
        "n Museum|f Bibliothek|f Universität|m Rat|m Markt|n Kloster|f Festung|m See|f Insel|"
        "m Wald|f Straße|m Kanal|m Bahnhof|f Mühle|m Dom|m Turm|f Provinz|m Bezirk|f Region|"
        "f Grenze|f Küste|m Garten|m Palast|f Schule|n Theater|f Fabrik|n Bergwerk|m Damm|"
        "f Abtei|f Gemeinde|m Platz|n Tor|f Mauer|m Hof|f Kapelle|n Krankenhaus|f Zeitung|"
        "f Gesellschaft|n Heer|m König|m Herzog|m Bischof|m Kaufmann|f Familie|f Regierung|"
        "n Parlament|n Gericht|n Fest|f Mundart|f Handschrift|n Gemälde|f Sammlung|m Vertrag|"
        "n Rathaus|f Handelsstraße|m Leuchtturm|f Sternwarte|m Weinberg|m Steinbruch|f Werft|"
        "n Orchester|f Brauerei"
    ),
    "adjectives": words(
        "alt|neu|groß|klein|nördlich|südlich|östlich|westlich|antik|mittelalterlich|modern|"
        "örtlich|königlich|historisch|wichtig|berühmt|schmal|breit|zentral|ober|unter|ländlich|"
        "öffentlich|privat|hölzern|steinern|früh|spät|ehemalig|regional|national|militärisch|"
        "kirchlich|wirtschaftlich|befestigt|verlassen"
    ),
    "verbs": words(
        "baute|überquerte|beschrieb|verband|ersetzte|gründete|zerstörte|restaurierte|besuchte|"
        "umgab|versorgte|kontrollierte|erwarb|erweiterte|schützte|verteidigte|erbte|"
        "dokumentierte|benannte|eröffnete|schloss|erreichte|teilte|regierte|finanzierte|entwarf|"
        "vollendete|kaufte|verkaufte|prägte|vermaß"
    ),
    "predicates": words(
        "bedeutend|wohlhabend|unabhängig|verlassen|klein|berühmt|geschlossen|vernachlässigt|"
        "mächtig|abgelegen|bekannt|weitgehend ländlich|im Bau"
    ),
    "adverbs": words(
        "später|schließlich|allmählich|ursprünglich|auch|noch|bereits|bald|weitgehend|zunächst"
    ),
    "connectors": words(
        "Später|Danach|Außerdem|Damals|Deshalb|Dennoch|Anschließend|Seitdem|Zudem|Trotzdem"
    ),
    "prepositions": words("in|bei|an|mit|nach|von|zu|hinter|neben|unter|über|vor|nahe"),
    "units": words(
        "Einwohner|Kilometer|Meter|Besucher|Arbeiter|Studenten|Bücher|Hektar|Soldaten|Häuser|"
        "Schüler|Schiffe|Mitglieder"
    ),
    "syllables": words(
        "fal|ken|brück|stein|au|dorf|berg|hau|sen|wal|der|ro|tha|lin|gen|mar|burg|ried|heim|"
        "el|tau|fels|kir|ch|bach|hof|lo|witz|eck|reu"
    ),
    "kinds": words("Burg|Kloster|Schloss|Bad|Sankt|Alt|Neu|Ober|Unter"),
}

FR = {
    "nouns": words(
        "f ville|m fleuve|m château|f église|m pont|m village|f vallée|f montagne|m port|"
        "m chemin de fer|m musée|f bibliothèque|f université|m conseil|m marché|m monastère|"
        "f forteresse|m lac|f île|f forêt|f route|m canal|f gare|m moulin|f cathédrale|f tour|"
        "f province|m district|f région|f frontière|f côte|m jardin|m palais|f école|m théâtre|"
        "f usine|f mine|m barrage|f abbaye|f paroisse|f place|f porte|m mur|f ferme|m domaine|"
        "f chapelle|m hôpital|m journal|f société|f armée|m roi|m duc|m évêque|m marchand|"
        "f famille|m gouvernement|m parlement|m tribunal|m festival|m dialecte|m manuscrit|"
        "m tableau|f collection|m traité|m hôtel de ville|m phare|m observatoire|m vignoble|"
        "f carrière|m chantier naval|m orchestre|f brasserie"
    ),
    # masculine / feminine
    "adjectives": words(
        "ancien/ancienne|grand/grande|petit/petite|septentrional/septentrionale|"
        "méridional/méridionale|oriental/orientale|occidental/occidentale|médiéval/médiévale|"
        "moderne/moderne|local/locale|royal/royale|principal/principale|historique/historique|"
        "important/importante|célèbre/célèbre|étroit/étroite|large/large|central/centrale|"
        "rural/rurale|public/publique|privé/privée|militaire/militaire|religieux/religieuse|"
        "économique/économique|côtier/côtière|régional/régionale|national/nationale|"
        "fortifié/fortifiée|abandonné/abandonnée|prospère/prospère"
    ),
    "verbs": words(
        "construisit|traversa|décrivit|relia|remplaça|fonda|détruisit|restaura|visita|entoura|"
        "contrôla|acquit|agrandit|protégea|défendit|ouvrit|ferma|atteignit|rejoignit|divisa|"
        "gouverna|finança|conçut|acheva|acheta|vendit|a construit|a restauré|a décrit|a acquis"
    ),
    "predicates": words(
        "important/importante|prospère/prospère|indépendant/indépendante|"
        "abandonné/abandonnée|petit/petite|célèbre/célèbre|fermé/fermée|puissant/puissante|"
        "isolé/isolée|connu/connue|largement rural/largement rurale"
    ),
    "adverbs": words(
        "plus tard|finalement|progressivement|à l'origine|aussi|encore|déjà|bientôt|largement|"
        "d'abord"
    ),
    "connectors": words(
        "Cependant|En outre|Plus tard|À cette époque|Depuis lors|Par conséquent|Néanmoins|"
        "Ensuite|Pour cette raison|Toutefois"
    ),
    "prepositions": words(
        "dans|près de|le long de|avec|sur|sous|derrière|devant|vers|à|pour|au nord de|au sud de"
    ),
    "units": words(
        "habitants|kilomètres|mètres|visiteurs|ouvriers|étudiants|livres|hectares|soldats|"
        "maisons|élèves|navires|membres"
    ),
    "syllables": words(
        "mor|van|ne|bel|lieu|mont|ville|cour|ro|che|fort|ai|gue|lan|dre|ber|nac|val|sau|"
        "gnac|mar|tin|pier|re|beau|vil|lers|cla|ir|mes"
    ),
    "kinds": words("Saint|Château de|Abbaye de|Pont de|Lac de|Mont|Forêt de|Port"),
}

ES = {
    "nouns": words(
        "f ciudad|m río|m castillo|f iglesia|m puente|m pueblo|m valle|f montaña|m puerto|"
        "m ferrocarril|m museo|f biblioteca|f universidad|m consejo|m mercado|m monasterio|"
        "f fortaleza|m lago|f isla|m bosque|m camino|m canal|f estación|m molino|f catedral|"
        "f torre|f provincia|m distrito|f región|f frontera|f costa|m jardín|m palacio|f escuela|"
        "m teatro|f fábrica|f mina|f presa|f abadía|f parroquia|f plaza|f puerta|f muralla|"
        "f granja|f finca|f capilla|m hospital|m periódico|f compañía|f sociedad|m ejército|"
        "m rey|m duque|m obispo|m comerciante|f familia|m gobierno|m parlamento|m tribunal|"
        "m festival|m dialecto|m manuscrito|m cuadro|f colección|m tratado|m ayuntamiento|"
        "m faro|m observatorio|m viñedo|f cantera|m astillero|f orquesta|f cervecería"
    ),
    "adjectives": words(
        "antiguo/antigua|nuevo/nueva|grande/grande|pequeño/pequeña|septentrional/septentrional|"
        "meridional/meridional|oriental/oriental|occidental/occidental|medieval/medieval|"
        "moderno/moderna|local/local|real/real|principal/principal|histórico/histórica|"
        "importante/importante|famoso/famosa|estrecho/estrecha|ancho/ancha|central/central|"
        "rural/rural|público/pública|privado/privada|militar/militar|religioso/religiosa|"
        "económico/económica|costero/costera|regional/regional|nacional/nacional|"
        "fortificado/fortificada|abandonado/abandonada|próspero/próspera"
    ),
    "verbs": words(
        "construyó|cruzó|describió|conectó|reemplazó|fundó|destruyó|restauró|visitó|rodeó|"
        "abasteció|controló|adquirió|amplió|protegió|defendió|heredó|documentó|renombró|abrió|"
        "cerró|alcanzó|dividió|gobernó|financió|diseñó|completó|compró|vendió|reconstruyó"
    ),
    "predicates": words(
        "importante/importante|próspero/próspera|independiente/independiente|"
        "abandonado/abandonada|pequeño/pequeña|famoso/famosa|cerrado/cerrada|"
        "poderoso/poderosa|aislado/aislada|conocido/conocida|"
        "en gran parte rural/en gran parte rural"
    ),
    "adverbs": words(
        "más tarde|finalmente|gradualmente|originalmente|también|todavía|ya|pronto|"
        "en gran parte|primero"
    ),
    "connectors": words(
        "Sin embargo|Además|Más tarde|En esa época|Desde entonces|Como resultado|No obstante|"
        "Después|Por esta razón|Durante este periodo"
    ),
    "prepositions": words(
        "en|cerca de|junto a|a lo largo de|con|sobre|bajo|detrás de|hacia|desde|para|al norte de"
    ),
    "units": words(
        "habitantes|kilómetros|metros|visitantes|trabajadores|estudiantes|libros|hectáreas|"
        "soldados|casas|alumnos|barcos|miembros"
    ),
    "syllables": words(
        "mor|va|no|san|ta|vi|lla|al|ca|la|re|dor|gue|ra|mon|te|bel|ri|ja|ba|ros|es|co|lo|"
        "me|di|na|ver|de|qui"
    ),
    "kinds": words("San|Santa|Castillo de|Puente de|Río|Sierra de|Villa|Puerto"),
}

IT = {
    "nouns": words(
        "f città|m fiume|m castello|f chiesa|m ponte|m villaggio|f valle|f montagna|m porto|"
        "f ferrovia|m museo|f biblioteca|f università|m consiglio|m mercato|m monastero|"
        "f fortezza|m lago|f isola|f foresta|f strada|m canale|f stazione|m mulino|f cattedrale|"
        "f torre|f provincia|m distretto|f regione|m confine|f costa|m giardino|m palazzo|"
        "f scuola|m teatro|f fabbrica|f miniera|f diga|f abbazia|f parrocchia|f piazza|f porta|"
        "m muro|f fattoria|f tenuta|f cappella|m ospedale|m giornale|f compagnia|f società|"
        "m esercito|m re|m duca|m vescovo|m mercante|f famiglia|m governo|m parlamento|"
        "m tribunale|m festival|m dialetto|m manoscritto|m dipinto|f collezione|m trattato|"
        "m municipio|m faro|m osservatorio|m vigneto|f cava|m cantiere navale|f orchestra|"
        "m birrificio|m stato|m studio|m scrittore"
    ),
    "adjectives": words(
        "antico/antica|nuovo/nuova|grande/grande|piccolo/piccola|settentrionale/settentrionale|"
        "meridionale/meridionale|orientale/orientale|occidentale/occidentale|"
        "medievale/medievale|moderno/moderna|locale/locale|reale/reale|principale/principale|"
        "storico/storica|importante/importante|famoso/famosa|stretto/stretta|largo/larga|"
        "centrale/centrale|rurale/rurale|pubblico/pubblica|privato/privata|militare/militare|"
        "religioso/religiosa|economico/economica|costiero/costiera|regionale/regionale|"
        "nazionale/nazionale|fortificato/fortificata|abbandonato/abbandonata|prospero/prospera"
    ),
    "verbs": words(
        "costruì|attraversò|descrisse|collegò|sostituì|fondò|distrusse|restaurò|visitò|"
        "circondò|rifornì|controllò|acquistò|ampliò|protesse|difese|ereditò|documentò|"
        "rinominò|aprì|chiuse|raggiunse|divise|governò|finanziò|progettò|completò|comprò|"
        "vendette|ricostruì"
    ),
    "predicates": words(
        "importante/importante|prospero/prospera|indipendente/indipendente|"
        "abbandonato/abbandonata|piccolo/piccola|famoso/famosa|chiuso/chiusa|potente/potente|"
        "isolato/isolata|noto/nota|in gran parte rurale/in gran parte rurale"
    ),
    "adverbs": words(
        "più tardi|infine|gradualmente|originariamente|anche|ancora|già|presto|in gran parte|"
        "dapprima"
    ),
    "connectors": words(
        "Tuttavia|Inoltre|Più tardi|In quel periodo|Da allora|Di conseguenza|Ciononostante|"
        "Successivamente|Per questo motivo|Durante questo periodo"
    ),
    "prepositions": words("in|vicino a|lungo|con|su|sotto|dietro|verso|da|per|presso|di"),
    "units": words(
        "abitanti|chilometri|metri|visitatori|operai|studenti|libri|ettari|soldati|case|"
        "alunni|navi|membri"
    ),
    "syllables": words(
        "mor|va|no|san|ta|ri|vel|lo|ca|ste|gna|mon|te|bel|ra|pa|do|fio|ren|zo|la|ci|ter|mi|"
        "ne|ro|sa|vi|an|gio"
    ),
    "kinds": words("San|Santa|Castello di|Ponte di|Monte|Lago di|Villa|Porto"),
}

# Finnish: nominative / genitive (also the total object) / locative ("in", "at").
FI = {
    "nouns": words(
        "kaupunki/kaupungin/kaupungissa|joki/joen/joessa|linna/linnan/linnassa|"
        "kirkko/kirkon/kirkossa|silta/sillan/sillalla|kylä/kylän/kylässä|laakso/laakson/laaksossa|"
        "vuori/vuoren/vuorella|satama/sataman/satamassa|rautatie/rautatien/rautatiellä|"
        "museo/museon/museossa|kirjasto/kirjaston/kirjastossa|yliopisto/yliopiston/yliopistossa|"
        "neuvosto/neuvoston/neuvostossa|tori/torin/torilla|luostari/luostarin/luostarissa|"
        "linnoitus/linnoituksen/linnoituksessa|järvi/järven/järvellä|saari/saaren/saarella|"
        "metsä/metsän/metsässä|tie/tien/tiellä|kanava/kanavan/kanavalla|asema/aseman/asemalla|"
        "mylly/myllyn/myllyssä|tuomiokirkko/tuomiokirkon/tuomiokirkossa|torni/tornin/tornissa|"
        "maakunta/maakunnan/maakunnassa|piiri/piirin/piirissä|alue/alueen/alueella|"
        "raja/rajan/rajalla|rannikko/rannikon/rannikolla|puutarha/puutarhan/puutarhassa|"
        "palatsi/palatsin/palatsissa|koulu/koulun/koulussa|teatteri/teatterin/teatterissa|"
        "tehdas/tehtaan/tehtaalla|kaivos/kaivoksen/kaivoksessa|pato/padon/padolla|"
        "seurakunta/seurakunnan/seurakunnassa|aukio/aukion/aukiolla|portti/portin/portilla|"
        "muuri/muurin/muurilla|maatila/maatilan/maatilalla|kappeli/kappelin/kappelissa|"
        "sairaala/sairaalan/sairaalassa|sanomalehti/sanomalehden/sanomalehdessä|"
        "yhtiö/yhtiön/yhtiössä|armeija/armeijan/armeijassa|perhe/perheen/perheessä|"
        "hallitus/hallituksen/hallituksessa|eduskunta/eduskunnan/eduskunnassa|"
        "juhla/juhlan/juhlassa|murre/murteen/murteessa|"
        "käsikirjoitus/käsikirjoituksen/käsikirjoituksessa|maalaus/maalauksen/maalauksessa|"
        "kokoelma/kokoelman/kokoelmassa|sopimus/sopimuksen/sopimuksessa|"
        "kaupungintalo/kaupungintalon/kaupungintalossa|majakka/majakan/majakalla|"
        "tähtitorni/tähtitornin/tähtitornissa|louhos/louhoksen/louhoksella|"
        "telakka/telakan/telakalla|orkesteri/orkesterin/orkesterissa|panimo/panimon/panimossa"
    ),
    # nominative / genitive
    "adjectives": words(
        "vanha/vanhan|uusi/uuden|suuri/suuren|pieni/pienen|pohjoinen/pohjoisen|"
        "eteläinen/eteläisen|itäinen/itäisen|läntinen/läntisen|muinainen/muinaisen|"
        "keskiaikainen/keskiaikaisen|moderni/modernin|paikallinen/paikallisen|"
        "kuninkaallinen/kuninkaallisen|historiallinen/historiallisen|tärkeä/tärkeän|"
        "kuuluisa/kuuluisan|kapea/kapean|leveä/leveän|keskeinen/keskeisen|julkinen/julkisen|"
        "yksityinen/yksityisen|entinen/entisen|kansallinen/kansallisen|"
        "linnoitettu/linnoitetun|hylätty/hylätyn|vauras/vauraan"
    ),
    "verbs": words(
        "rakensi|ylitti|kuvasi|yhdisti|korvasi|perusti|tuhosi|kunnosti|ympäröi|hallitsi|osti|"
        "laajensi|peri|dokumentoi|nimesi|avasi|sulki|saavutti|jakoi|rahoitti|suunnitteli|"
        "valmisti|myi|korjasi|kartoitti|kaivoi"
    ),
    "predicates": words(
        "tärkeä|vauras|itsenäinen|hylätty|pieni|kuuluisa|suljettu|voimakas|eristetty|tunnettu|"
        "suurelta osin maaseutua"
    ),
    "adverbs": words(
        "myöhemmin|lopulta|vähitellen|alun perin|myös|vielä|jo|pian|suurelta osin|aluksi"
    ),
    "connectors": words(
        "Kuitenkin|Lisäksi|Myöhemmin|Tuolloin|Siitä lähtien|Tämän seurauksena|Silti|"
        "Sen jälkeen|Tästä syystä|Tänä aikana"
    ),
    # postpositions after a genitive
    "prepositions": words(
        "lähellä|vieressä|takana|edessä|pohjoispuolella|eteläpuolella|itäpuolella|"
        "länsipuolella|alapuolella|yläpuolella"
    ),
    "units": words(
        "asukasta|kilometriä|metriä|kävijää|työntekijää|opiskelijaa|kirjaa|hehtaaria|sotilasta|"
        "taloa|oppilasta|laivaa|jäsentä"
    ),
    "syllables": words(
        "jär|ve|lä|kos|ki|mä|ki|nie|mi|la|hti|sal|mi|saa|ri|vaa|ra|ran|ta|pel|to|suo|"
        "han|ka|lin|na|kal|lio|nie|men"
    ),
    "kinds": words("joki|järvi|saari|linna|vaara|niemi|lahti|koski"),
}

# English web pages (shops, forums, blogs): what CC and C4 are mostly made of.
WEB = {
    "products": words(
        "kettle|backpack|desk lamp|sofa|phone case|bike helmet|coffee grinder|rain jacket|"
        "garden hose|office chair|water bottle|hiking boot|wall clock|camera bag|yoga mat|"
        "bed frame|blender|lawn mower|smart watch|laptop stand|travel mug|tent|wool scarf|"
        "air fryer|drill set"
    ),
    "materials": words(
        "recycled plastic|oak wood|stainless steel|organic cotton|leather|bamboo|aluminium|"
        "glass|canvas|ceramic"
    ),
    "persons": words("wife|husband|son|daughter|friend|dad|mom|brother|sister|neighbour|boss"),
    "opinions": words(
        "it works great|it broke after a week|the quality is better than expected|"
        "it arrived two days late|it is worth every penny|the colour is slightly different|"
        "I would buy it again|the instructions were confusing|it is a bit too small|"
        "customer service was very helpful"
    ),
    "activities": words(
        "camping|cooking|running|working from home|travelling|gardening|studying|cycling|"
        "weekend trips|small apartments"
    ),
    "cities": words(
        "Portland|Leeds|Austin|Denver|Bristol|Toronto|Dublin|Melbourne|Cardiff|Boston|"
        "Glasgow|Seattle"
    ),
    "times": words("tomorrow|tonight|this weekend|next week|later today|after work|on Monday"),
    "adjectives": words(
        "durable|lightweight|affordable|stylish|compact|reliable|comfortable|sturdy|practical|"
        "elegant|waterproof|versatile"
    ),
    "users": words(
        "mike_87|sarahj|the_gardener|techguy2000|anna.k|bobsmith|crafty_cat|dave_w|"
        "linda1965|outdoorsy"
    ),
}

# English narrative prose for the books.
NARRATIVE = {
    "names": words(
        "Margaret|Thomas|Eliza|Henry|Catherine|Edward|Harriet|William|Anne|George|Lucy|"
        "Arthur|Mary|Robert|Emma|Frederick|Clara|James"
    ),
    "places": words(
        "garden|kitchen|old mill|church yard|harbour|library|drawing room|orchard|station|"
        "market square|bridge|cottage|hill above the village|study|stable|river bank"
    ),
    "objects": words(
        "letter|lamp|window|door|book|portrait|basket|candle|clock|map|ring|coat|key|table|"
        "photograph|trunk"
    ),
    "walked": words("walked|hurried|returned|went|ran|wandered|came back|climbed|crept|drove"),
    "looked": words("looked|stared|glanced|gazed|pointed|nodded|smiled|frowned"),
    "felt": words("felt|seemed|appeared|grew|became"),
    "emotions": words(
        "uneasy|relieved|tired|hopeful|restless|afraid|content|ashamed|curious|angry|calm|"
        "lonely|grateful"
    ),
    "adjectives": words(
        "cold|quiet|dark|bright|empty|narrow|heavy|small|strange|familiar|dusty|warm|grey|"
        "silent|crowded"
    ),
    "quotes": words(
        "I never thought it would end like this|We must leave before the morning|"
        "Nobody has lived here for years|You should have told me sooner|"
        "It is later than you think|I will not ask you again|Perhaps we were wrong about him|"
        "The letter came yesterday|Do you remember the winter of the great storm|"
        "There is nothing more to say"
    ),
    "said": words("said|whispered|replied|answered|cried|murmured|asked"),
    "pronouns": words("she|he|they|she|he"),
    "nouns": words(
        "rain|silence|house|road|evening|morning|fire|wind|sea|night|sky|crowd|voice|music"
    ),
}

# The register of the pages Wikipedia cites: archive records, local-history and news reports,
# with bylines, dates, record numbers and quoted sources.
REPORT = {
    "records": words(
        "parish register|census return|council minutes|land survey|tax roll|estate accounts|"
        "court record|harbour log|building survey|annual report|tithe map|school log book|"
        "shipping register|planning file|trade directory"
    ),
    "institutions": words(
        "County Record Office|Historical Society|National Archives|University Library|"
        "Heritage Trust|Museum of Local History|Archaeological Survey|Civic Society|"
        "Records Commission|Maritime Museum"
    ),
    "roles": words(
        "archivist|curator|historian|senior researcher|librarian|director|field officer|"
        "records manager"
    ),
    "findings": words(
        "a much larger settlement than earlier accounts suggested|"
        "that the first building stood further east|"
        "at least three periods of reconstruction|"
        "that the site was in continuous use for two centuries|"
        "evidence of a fire that destroyed the upper floors|"
        "that most of the workers came from neighbouring parishes|"
        "a dispute over the water rights that lasted for decades|"
        "that the original plans were never completed"
    ),
    "months": words(
        "January|February|March|April|May|June|July|August|September|October|November|December"
    ),
    "codes": words("PR|CM|LS|TR|EA|CR|HL|BS|AR|TM"),
}
