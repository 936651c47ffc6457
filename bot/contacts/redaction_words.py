"""Words that are not people's names, for offering name redaction on the card (PRODUCT §8).

A capitalised word in a note is offered for redaction unless it is one of these: common
English words (navigators capitalise the first word of a sentence, "Seen", "Mum"), the team's
vocabulary (services, organisations, places in and around Tower Hamlets), weekdays and
months. All-capitals abbreviations (ED, CGL, MASH) and code-shaped words (A13, E14, Catch22)
are never offered, so they need no entry. Extend freely: a word wrongly offered costs the
navigator nothing but a glance; a name missing here is still offered.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    return frozenset(text.lower().split())


COMMON_WORDS = words(
    """
    a about above absent abuse abused accepted access accommodation according across act
    action actions actually add added address admission admitted advice advised affected
    afraid after afternoon again against age aged agency agreed agrees ahead aid alcohol
    alert alive all allegedly allowed almost alone along already also although always am
    ambulance among an and angry another answer answered anxiety anxious any anyone anything
    anyway apparently appeared application applied apply appointment appt approach are area
    around arranged arrest arrested arrived as ask asked asking assault assaulted assessed
    assessment at attack attacked attempt attempted attend attendance attended attending
    attention available aware away back bad bag bail banned bay be became because bed been
    before began behaviour being believe believes benefits best better between big bit
    bleeding blood body booked both bottle boy boyfriend break bring broke broken brother
    brought bruising bus busy but by call called calling calm came can cannot cant car card
    care carer carers case cash caught cause cautioned centre certain chance change changed
    charge charged chat chatted check checked checking child children choice class clean
    clear client clients close closed clothes club college come comes coming community
    completed concern concerned concerns condition confirmed confused consent contact
    contacted continue continues could couldnt council counselling couple course court
    cousin cover covid crisis crying cuts cutting dad daily danger dark date daughter day
    days dead deal dealing dealt death debt decided declined denied denies depressed
    depression detained did didnt died different difficult direct directly discharge
    discharged discuss discussed disengaged distressed do doctor doctors does doesnt doing
    domestic done dont door down drink drinking drop dropped drove drug drugs drunk due
    during each earlier early easy eat eating education either else email emailed emergency
    employment end ended engage engaged engagement engaging enough entered especially even
    evening event ever every everyone everything evicted exam exams excluded exclusion
    explained exploitation exploited face facing family far father fear fearful feel
    feeling feels felt few fight fighting filled final finally find fine finished first
    five flat follow followed following food for forced forms found four free friday friend
    friends from front full fully further future gang gangs gave get gets getting girl
    girlfriend give given go goes going gone good got great group guilty had half hand
    happened happy hard harm has hasnt have havent having he head health heard help helped
    helpful helping her here herself high him himself his home homeless hope hopefully
    hospital hostel hour hours house housing how however hurt i idea if ill immediately
    in incident including informed injured injuries injury inside instead interested
    interview into involved is isnt issue issues it its itself job jobs just keen keep
    kept key kid kids kill killed knew knife know known lack last late later least leave
    leaving left less let letter life like likely line lines little live lived lives
    living local locked long look looked looking lost lot lots low made mainly make making
    man many may maybe me meal mean medical medication meet meeting member members mental
    message messaged met might mind missed missing mobile mood more morning most mother
    moved much mum must my myself name near need needed needs neighbour never new news
    next nice night no nobody none nor not note noted nothing now number nurse of off
    offer offered officer officers often ok okay old on once one ongoing online only open
    or order other others our out outcome outside over overdose overnight own paid pain
    parent parents part partner party passed past pay people per person phone phoned
    picked place plan planned plans please pm point police poor positive possible possibly
    post prefers present pressure previous previously prison private probably probation
    problem problems process professional progress prompt property provided psychiatric
    put quickly quiet quite rang rather re reached ready really reason received recent
    recently referral referrals referred refused regular related release released remain
    remains remand report reported reports request requested review risk risks road robbed
    room run safe safeguarding safety said same sat saturday saw say saying says school
    second section see seeing seemed seems seen self send sent serious service services
    session sessions set several shared she shift short should shown sibling siblings
    sick side sign signed since sister sleep sleeping small so social some someone
    something sometimes son soon sorted spent spoke spoken staff start started starting
    state stated stay stayed staying still stolen stop stopped street stress stressed
    struggling student study stuff such suicidal suicide sunday support supported
    supportive sure surgery suspected take taken taking talk talked talking team tell
    text texted texts than thank thanks that the their them themselves then there these
    they thing things think third this those though thought threat threatened threats
    three through thursday till time times tired to today together told tomorrow tonight
    too took treatment tried trip trouble true try trying tuesday turned twice two
    unable under understand unit unknown unless unsafe until up update updated upset us
    use used using usual very via victim violence violent visit visited visiting wait
    waiting walk walked want wanted wants ward was wasnt way we weapon wednesday week
    weekend weekly weeks weight welcome well went were what when where whether which while
    who whole why wife will willing wish with within without woman work worker workers
    working worried worry would wound wounds wrong year years yes yesterday yet you young
    your
    outreach voicemail stab stabbing shot shooting gun gunshot machete robbery mugged county
    cuckooing trap plugging grooming groomed ligature paracetamol pills tablets methadone
    script detox rehab therapy therapist psychiatrist psychologist paramedic paramedics
    solicitor magistrates crown curfew tag licence recall sentence sentenced order unpaid
    universal credit pip esa rent arrears eviction sofa surfing temporary triage resus majors
    minors cubicle theatre stitches fracture scan transferred motivated unwell intoxicated
    spice ketamine cocaine coke mdma ecstasy nitrous balloons vaping holiday offending
    offender offence manager note notes steps summary background sorry hi hello signposted
    signpost list cancelled rescheduled quick brief video teams zoom office cafe café library
    station tube train mosque church gym boxing football shop market estate road street lane
    mob tel tele landline number email e-mail dob address postcode nhs name surname
    safe well wellbeing check-in checkin welfare mental physical sexual criminal serious
    youth adult adults children's childrens services' colleague colleagues duty
    """
)

# People's relations, professional and personal: "X's brother", "his mum Y" (see redaction).
RELATIONS = words(
    """
    mum mom mother mam mummy ma dad father daddy brother bro sister sis cousin cuz uncle
    aunt auntie aunty nan nana nanny gran granny grandma grandmother grandad granddad
    grandfather gf bf girlfriend boyfriend partner ex friend mate pal bestie wife husband
    son daughter baby child kid stepdad stepmum step-dad step-mum carer neighbour
    housemate flatmate sw keyworker
    """
)

# Services, organisations and places navigators name every day (Tower Hamlets and around).
PLACES_AND_SERVICES = words(
    """
    london tower hamlets whitechapel stepney bow poplar limehouse shadwell wapping bethnal
    green mile end canary wharf isle dogs millwall cubitt blackwall aldgate spitalfields
    stratford newham hackney islington southwark lambeth camden barking dagenham redbridge
    ilford leyton walthamstow shoreditch bromley lea bridge mudchute docklands royal
    homerton newham barts stratford westfield brick lane victoria park city england uk
    britain bangladesh sylhet dhaka bengal europe
    ocean boundary chicksand berner collingwood teviot lansbury aberfeldy exmouth samuda
    barkantine glamis cranbrook avebury burdett malmesbury clichy watney chrisp brownfield
    reset cgl redthread catch st giles trust safer mind barnardos barnardo's rise turning
    point change grow live camhs iapt mash jcp jobcentre job centre prince's princes youth
    nhs council met metropolitan probation yot iom ambulance a&e accident urgent crisis
    liaison psych psychiatry college school academy university uni sixth form apprenticeship
    mcdonalds tesco asda costa primark
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs
    fri sat sun january february march april may june july august september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec
    mr mrs ms miss dr mx sir madam
    english bengali bangla sylheti urdu somali arabic polish muslim islam ramadan eid
    christmas easter covid google whatsapp snapchat instagram tiktok facebook telegram
    """
)

NOT_NAMES = COMMON_WORDS | RELATIONS | PLACES_AND_SERVICES

# Bengali relations after which the next word may be a name: ওর ভাই রহিম "his brother Rahim".
BENGALI_RELATIONS = words(
    "ভাই ভাইয়া বোন আপু মা আম্মা আম্মু বাবা আব্বা আব্বু চাচা চাচি মামা মামি খালা খালু ফুপু "
    "নানা নানি দাদা দাদি বন্ধু বান্ধবী কাজিন স্ত্রী স্বামী ছেলে মেয়ে পার্টনার গার্লফ্রেন্ড "
    "বয়ফ্রেন্ড"
)
BENGALI_POSSESSIVES = words("ওর তার ওনার উনার তাঁর আমার ওদের তাদের")
# Words that follow a relation and are not names ("ওর মা খুব চিন্তিত": his mother very worried).
BENGALI_NOT_NAMES = words(
    "খুব আর ও এবং এসে এসেছিল এসেছে আছে ছিল ছিলো বলেছে বলল বললো বলেছেন জানিয়েছে চায় চান "
    "কথা সাথে সঙ্গে কাছে বাসায় বাড়িতে হাসপাতালে ফোন করেছে করেছিল দেখা নিয়ে নিয়ে একসাথে "
    "এখন আজ কাল গতকাল আগামীকাল কোনো কিছু না নাই নেই হ্যাঁ সে তিনি উনি ওকে তাকে ভালো খারাপ "
    "অসুস্থ চিন্তিত রাজি জানে জানেন বলে বলেন আসবে আসবেন যাবে যাবেন জানি জানা জানিনা "
    "বলেনি দেয়নি দিতে বলতে কী কি লিখিনি লেখা জিজ্ঞেস জানতে"
)
