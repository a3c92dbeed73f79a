"""Compact lists of common given names and surnames, and words that are never names.

Written by hand from general knowledge of common US, UK, Hispanic, South Asian, East Asian,
European and African names -- not extracted from any evaluation corpus.  The lists are a
tie-breaker for weak evidence (a lower-case "i'm james" in a call transcript); strong
context ("my name is ...", an answer to "what is your name?") does not need them.
"""

from __future__ import annotations

__all__ = ["COMMON_WORDS", "FIRST_NAMES", "NAME_PARTICLES", "SURNAMES"]

_FIRST = """
james john robert michael william david richard joseph thomas charles christopher daniel
matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy
ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry
tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy
christian keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse
jordan bryan billy joe bruce gabriel logan albert willie alan juan wayne elijah randy roy
vincent ralph eugene russell bobby mason philip louis harry liam oliver lucas aiden caleb
owen luke isaac hunter connor evan cameron wyatt landon adrian colin ian marcus miguel
carlos luis jorge pedro diego javier alejandro fernando ricardo rafael manuel antonio
francisco sergio eduardo roberto andres mario hector oscar raul ramon enrique emilio
mohammed muhammad ahmed ali omar hassan hussein ibrahim yusuf mustafa khalid tariq
raj rahul amit arjun rohan vikram sanjay anil sunil ravi vijay arun deepak ajay nikhil
karan aditya siddharth anand suresh ramesh krishna prakash manish rajesh
wei ming jun hao lei jian yong chen hiroshi takeshi kenji yuki haruto sota ren
min jae hyun seung dong sung ji kwame kofi chidi emeka oluwaseun tunde jamal darnell
malik andre terrence dmitri ivan sergei alexei nikolai pavel jan piotr tomasz lars erik
sven johan hans klaus jurgen pierre jean luc francois matteo giuseppe marco luca
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty
margaret sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah
stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela
emma nicole helen samantha katherine christine debra rachel carolyn janet catherine maria
heather diane ruth julie olivia joyce virginia victoria kelly lauren christina joan
evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa ann sara madison
frances kathryn janice jean abigail alice judy sophia grace denise amber doris marilyn
danielle beverly isabella theresa diana natalie brittany charlotte marie kayla alexis
lori tiffany tina crystal whitney erin courtney erica monica vanessa melanie leslie
alicia valerie jasmine allison wendy tara dana holly april kristen kristin krista krystal
ava mia harper ella chloe zoe lily layla nora riley aria aurora hazel stella violet
penelope camila luna sofia valentina lucia gabriela daniela mariana paula carmen rosa
ana elena isabel adriana veronica patricia beatriz lourdes guadalupe yolanda esperanza
fatima aisha zainab maryam layla noor amina leila yasmin
priya ananya pooja neha sneha divya kavya lakshmi deepa meera shreya anjali sunita
aahana ishita riya nisha rekha geeta
mei ling xiu yan hui fang jing yuki sakura aiko hana yumi keiko mina jiwoo seo ji-woo
ngozi amara chioma adaeze folake nia imani aaliyah keisha latoya tamika shanice ebony
olga tatiana svetlana irina natasha anastasia katarzyna agnieszka ingrid astrid freya
sigrid greta heidi claudia giulia francesca chiara elisa sophie camille manon chloé amélie
brooke paige morgan taylor jordan casey jamie alex sam kelsey lindsey lindsay shelby
whitney kristina katrina alison allison audrey bridget caroline cassandra claire colleen
dawn eileen elaine ellen erika esther faith gina gwendolyn heidi irene jill joanne josephine
julia june kara kate katie kendra kim leah lydia lynn mackenzie marissa maureen miranda
molly naomi nina norma phyllis rita robin rosemary sabrina shannon sheila sylvia tammy
tanya tracy vera vivian wanda yvonne zoey polina whitney melinda lilia savannah
"""

_SURNAMES = """
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez
gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white
harris sanchez clark ramirez lewis robinson walker young allen king wright scott torres
nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts
gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales
murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos
kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes
price alvarez castillo sanders patel myers long ross foster jimenez powell jenkins perry
russell sullivan bell coleman butler henderson barnes gonzales fisher vasquez simmons
romero jordan patterson alexander hamilton graham reynolds griffin wallace moreno west
cole hayes bryant herrera gibson ellis tran medina aguilar stevens murray ford castro
marshall owens harrison fernandez mcdonald woods washington kennedy wells vargas henry
chen freeman webb tucker guzman burns crawford olson simpson porter hunter gordon mendez
silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner black robertson boyd
rose stone salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols
stephens soto weaver ryan gardner payne grant dunn kelley spencer hawkins arnold pierce
vazquez hansen peters santos hart bradley knight elliott cunningham duncan armstrong
hudson carroll lane riley andrews alvarado ray delgado berry perkins hoffman johnston
matthews pena richards contreras willis carpenter lawrence sandoval guerrero george
chapman rios estrada ortega watkins greene nunez wheeler valdez harper burke larson
santiago maldonado morrison franklin carlson austin dominguez carr lawson jacobs obrien
lynch singh vega bishop montgomery oliver jensen harvey williamson gilbert dean sims
espinoza howell li wong reid hanson le mccoy garrett burton fuller wang weber welch rojas
lucas marquez fields park yang little banks padilla day walsh bowman schultz luna fowler
mejia davidson acosta brewer may holland juarez newman pearson curtis cortez douglas
schneider joseph barrett navarro figueroa keller avila wade molina stanley hopkins
campos barnett bates chambers caldwell beck lambert miranda byrd craig ayala lowe frazier
powers neal leonard gregory carrillo sutton fleming rhodes shelton schwartz norris jennings
watts duran walters cohen mcdaniel moran parks steele vaughn becker holt deleon barker
terry hale leon hail benson haynes horton miles lyons pham graves bush thornton wolfe
warner cabrera mckinney mann zimmerman dawson lara fletcher page mccarthy love robles
cervantes solis erickson reeves chang klein salinas fuentes baldwin daniel simon velasquez
hardy higgins aguirre lin cummings chandler sharp barber bowen ochoa dennis robbins
liu ramsey francis griffith paul blair oconnor cardenas pacheco cross calderon quinn moss
swanson chan rivas khan rodgers serrano fitzgerald rosales stevenson christensen manning
gill curry mclaughlin harmon mcgee gross doyle garner newton burgess reese walton blake
trujillo adkins brady goodman roman webster goodwin fischer huang potter delacruz
montoya todd wu hines mullins castaneda malone cannon tate mack sherman hubbard hodges
zhang guerra wolf valencia saunders franco rowe gallagher farmer hammond hampton townsend
ingram wise gallegos clarke barton schroeder maxwell waters logan camacho strickland
norman person colon parsons frank harrington glover osborne buchanan casey floyd patton
ibarra ball tyler suarez bowers orozco salas cobb gibbs andrade bauer conner moody
escobar mcguire lloyd mueller hartman french kramer mcbride pope lindsey velazquez norton
mccormick sparks flynn yates hogan marsh macias villanueva zamora pratt stokes owen
ballard lang brock villarreal charles drake barrera cain patrick pineda burnett mercado
santana shepherd bautista ali shaffer lamb trevino mckenzie hess beil olsen cochran
kaur sharma gupta kumar shah mehta joshi reddy rao iyer nair das bose chatterjee
mukherjee banerjee verma agarwal malhotra kapoor chopra bhat desai pillai menon
tanaka suzuki takahashi watanabe ito yamamoto nakamura kobayashi sato kato yoshida
park choi jung kang cho yoon jang lim han oh seo shin kwon hwang ahn song
zhao zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie tang
muller schmidt schneider fischer weber meyer wagner becker schulz hoffmann koch richter
rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo
dubois durand lefebvre moreau laurent simon michel leroy roux david bertrand morel
novak kowalski nowak wisniewski ivanov petrov smirnov popov kuznetsov
okafor okonkwo adeyemi mensah boateng owusu abubakar mohammed ahmed hassan hussain
o'brien o'connor o'neill mcdonald macdonald murphy kelly byrne ryan walsh
"""

_COMMON = """
the a an and or but if so to of in on at by for with from as is are was were be been am
i i'm im me my mine we us our you your he she it its it's they them their this that these
those there here what which who whom whose when where why how all any both each few more
most other some such no nor not only own same than too very can will just should now
yes yeah yep yup no nope ok okay sure thanks thank please hi hello hey hmm um uh oh well
good great fine fine nice sorry calling call trying looking wondering having getting going
here there still also actually really just about afraid glad happy sure certain not
customer caller agent bot user support account order number email phone address card
new old moving moved relocating back done ready home out up down over available
calling writing checking following unable able interested concerned worried confused
right wrong correct afternoon morning evening today tomorrow yesterday monday tuesday
wednesday thursday friday saturday sunday january february march april may june july
august september october november december
"""

_PARTICLES = "de da del della der den di du dos das van von la le st st. bin ibn al el mac"

FIRST_NAMES: frozenset[str] = frozenset(_FIRST.split())
SURNAMES: frozenset[str] = frozenset(_SURNAMES.split())
COMMON_WORDS: frozenset[str] = frozenset(_COMMON.split())
NAME_PARTICLES: frozenset[str] = frozenset(_PARTICLES.split())
