"""Word lists for street addresses: street types, unit designators and regions.

Street types follow USPS Publication 28, appendix C1 (primary names and the standard
abbreviations), plus the British and Australian types the USPS list lacks (Mews, Wynd,
Parade, Circuit ...).  They are split in two: *strong* types that are hardly ever anything
but a street ("Street", "Ave", "Blvd") and *weak* ones that are also everyday words
("Hollow", "Points", "Station", "Park"); a weak one makes an address only with more
evidence (see `addresses`).
"""

from __future__ import annotations

__all__ = [
    "AU_STATES",
    "AU_STATE_CODES",
    "CA_PROVINCES",
    "CA_PROVINCE_CODES",
    "STRONG_SUFFIXES",
    "US_STATES",
    "US_STATE_CODES",
    "WEAK_SUFFIXES",
]

STRONG_SUFFIXES: tuple[str, ...] = tuple(
    (
        # everyday types and their abbreviations
        "street st str avenue ave av avn aven avenu road rd boulevard blvd boul lane ln drive "
        "dr drv court ct place pl terrace ter terr circle cir circ parkway pkwy pky highway "
        "hwy hiway route rte square sq trail trl crescent cres close loop alley aly allee row "
        "plaza plz pike path walk run crossing xing grove gr grv gardens gdns mews green park "
        "hill expressway expy freeway fwy turnpike tpke broadway esplanade causeway cswy "
        # USPS C1 abbreviations that are not English words
        "anx arc byu bch bnd blf blfs btm brg brk brks bgs byp cyn cpe ctr ctrs cirs clf clfs "
        "clb cmn cmns cors crse cts cv cvs crk crst xrd xrds curv dl dm dv drs ests exts fls "
        "fry fld flds flts frd frds frst frg frgs frk frks frwy gdn gtwy gln glns grns grvs "
        "hbr hbrs hvn hts holw hl hls inlt iss jct jcts kys knl knls lk lks lndg lgt lgts lcks "
        "ldg mnr mnrs mdw mdws mtwy msn mtn mtns nck orch ovl opas pkwys psge prt prts radl "
        "rnch rdg rdgs riv rds shl shls shr shrs skwy spg spgs sqs stra strm sts smt trwy trce "
        "trak trfy trlr tunl upas uns vly vlys vw vws vlg vlgs vl vis wls wy pde cct"
    ).split()
)
WEAK_SUFFIXES: tuple[str, ...] = tuple(
    (
        "way point points hills annex anex arcade bayou beach bend bluff bluffs bottom branch "
        "bridge brook brooks burg burgs bypass camp canyon cape center centers centre circles "
        "cliff cliffs club common commons corner corners course courts cove coves creek crest "
        "crossroad crossroads curve dale dam divide estate estates extension extensions falls "
        "ferry field fields flat flats ford fords forest forge forges fork forks fort freeway "
        "garden gateway glen glens greens groves harbor harbors harbour haven heights hollow "
        "inlet island islands isle junction junctions key keys knoll knolls lake lakes land "
        "landing light lights loaf lock locks lodge manor manors meadow meadows mill mills "
        "mission motorway mount mountain mountains neck orchard oval overpass parks pass "
        "passage pine pines plain plains port ports prairie radial ramp ranch rapid rapids "
        "rest ridge ridges river shoal shoals shore shores skyway spring springs spur spurs "
        "station stravenue stream summit throughway trace track trafficway trailer tunnel "
        "underpass union unions valley valleys viaduct view views village villages ville "
        "vista walks wall well wells ways bay quay wharf wynd rise vale parade promenade "
        "circuit chase gate yard grange approach foreshore boardwalk concourse retreat glade "
        "outlook heath drove brae croft fold garth gardens "
        # plurals of the everyday types (Faker and real registers use them: "Miller Roads")
        "streets roads avenues lanes drives courts places terraces squares trails crescents "
        "parkways highways routes alleys plazas paths crossings "
        # Australian road types (AS 4590) the lists above lack
        "byway gully cul-de-sac quad quadrant plateau quays subway parklands towers strand "
        "thoroughfare centreway line upper lower steps fall cross rue corso nook pathway "
        "ramble reach ridgeway serviceway strip tarn tollway turn walkway waters entrance "
        "grand links mall mead top vue circus end access rotary lees crossway distributor "
        "break siding brow cutting via boulevarde busway copse dell dene deviation edge elbow "
        "firetrail follow formation frontage gap highroad hub interchange lookout pocket "
        "range reserve round shunt"
    ).split()
)
US_STATES: tuple[str, ...] = (
    *(
        "alabama alaska arizona arkansas california colorado connecticut delaware florida "
        "georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland "
        "massachusetts michigan minnesota mississippi missouri montana nebraska nevada ohio "
        "oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington "
        "wisconsin wyoming"
    ).split(),
    "new hampshire",
    "new jersey",
    "new mexico",
    "new york",
    "north carolina",
    "north dakota",
    "rhode island",
    "south carolina",
    "south dakota",
    "west virginia",
    "district of columbia",
)
US_STATE_CODES: tuple[str, ...] = tuple(
    (
        "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
        "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR"
    ).split()
)
CA_PROVINCES: tuple[str, ...] = (
    "alberta",
    "british columbia",
    "manitoba",
    "new brunswick",
    "newfoundland and labrador",
    "newfoundland",
    "nova scotia",
    "ontario",
    "prince edward island",
    "quebec",
    "québec",
    "saskatchewan",
    "yukon",
    "northwest territories",
    "nunavut",
)
CA_PROVINCE_CODES: tuple[str, ...] = tuple("AB BC MB NB NL NS NT NU ON PE QC SK YT".split())
AU_STATES: tuple[str, ...] = (
    "new south wales",
    "victoria",
    "queensland",
    "tasmania",
    "western australia",
    "south australia",
    "northern territory",
    "australian capital territory",
)
AU_STATE_CODES: tuple[str, ...] = tuple("NSW VIC QLD SA WA TAS NT ACT".split())
