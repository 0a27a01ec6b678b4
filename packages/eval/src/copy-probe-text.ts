/**
 * The copy probe's `values` text: value makers, sentences that state and repeat a value, and
 * filler sentences between them. Plain prose only: no tool markup, no chat tokens, no JSON, so the
 * probe measures copying, not what tool-calling data taught.
 */
type Rng = () => number;

/** A value kind's sentences: `say` states it, `again` repeats it; `{v}` is the value. */
export interface ValueTemplate {
  value: (rng: Rng) => string;
  say: string;
  again: string;
}

const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

/**
 * n digits where each one repeats the one before with probability 0.4 ("4,448", "1,001", "7777"):
 * a model that copies by "the digit after the last 4" rather than by position fails on these.
 */
function digits(rng: Rng, n: number, leadingZero = false): string {
  let out = String(int(rng, leadingZero ? 0 : 1, 9));
  while (out.length < n) out += rng() < 0.4 ? out[out.length - 1] : String(int(rng, 0, 9));
  return out;
}

const grouped = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const letters = (rng: Rng, n: number) => Array.from({ length: n }, () => pick(rng, [...LETTERS])).join("");
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const FIRST = ["Maria", "Kenji", "Aisha", "Tomasz", "Lucía", "Oluwaseun", "Freya", "Dmitri", "Priya", "Mateo", "Ingrid", "Kwame", "Yuki", "Siobhan", "Rafael", "Amara", "Henrik", "Leila", "Bongani", "Noor"];
const LAST = ["Okafor", "Lindqvist", "Takahashi", "Moreau", "Kowalski", "Haddad", "Ferreira", "Nakamura", "Abernathy", "Castellanos", "Van der Berg", "Oyelaran", "Petrov", "Ramaswamy", "Gallagher", "Achterberg", "Mbeki", "Delacroix", "Szymański", "Whitfield"];
const CITIES = ["Reykjavik", "Montevideo", "Ouagadougou", "Tbilisi", "Kaohsiung", "Valparaíso", "Ljubljana", "Thessaloniki", "Chiang Mai", "Trondheim", "Antananarivo", "Cluj-Napoca"];

const amount = (rng: Rng) => `${grouped(digits(rng, int(rng, 1, 6)))}.${digits(rng, 2, true)}`;
const count = (rng: Rng) => grouped(digits(rng, int(rng, 2, 7)));
const dateLong = (rng: Rng) => `${pick(rng, MONTHS)} ${int(rng, 1, 28)}, ${int(rng, 1950, 2049)}`;
const dateIso = (rng: Rng) => `${int(rng, 1990, 2049)}-${String(int(rng, 1, 12)).padStart(2, "0")}-${String(int(rng, 1, 28)).padStart(2, "0")}`;
const time = (rng: Rng) => `${String(int(rng, 0, 23)).padStart(2, "0")}:${pick(rng, ["00", "05", "15", "30", "45", "55", "11", "22", "44"])}`;
const person = (rng: Rng) => `${pick(rng, FIRST)} ${pick(rng, LAST)}`;
const flight = (rng: Rng) => `${letters(rng, 2)} ${digits(rng, int(rng, 3, 4))}`;
const code = (rng: Rng) => `${letters(rng, int(rng, 2, 3))}-${digits(rng, int(rng, 4, 6), true)}`;
const phone = (rng: Rng) => `${digits(rng, 3)}-${digits(rng, 3, true)}-${digits(rng, 4, true)}`;
const decimal = (rng: Rng) => `${digits(rng, int(rng, 1, 3))}.${digits(rng, int(rng, 1, 3), true)}`;
const plate = (rng: Rng) => `${letters(rng, 3)} ${digits(rng, 3, true)}`;
const version = (rng: Rng) => `${int(rng, 0, 19)}.${int(rng, 0, 29)}.${int(rng, 0, 99)}`;
const coords = (rng: Rng) => `${decimal(rng).slice(0, 5)}° N, ${decimal(rng).slice(0, 5)}° W`;

export const VALUE_TEMPLATES: readonly ValueTemplate[] = [
  { value: amount, say: "The invoice total is {v} dollars.", again: "To confirm, the total is {v} dollars." },
  { value: amount, say: "Her rent went up to {v} euros a month.", again: "So every month she now pays {v} euros." },
  { value: amount, say: "The repair estimate came to ${v}.", again: "The mechanic repeated that the repair costs ${v}." },
  { value: count, say: "The stadium holds {v} people.", again: "In short, it seats {v} people." },
  { value: count, say: "Last year the library lent out {v} books.", again: "That makes {v} books in a single year." },
  { value: dateLong, say: "The wedding is planned for {v}.", again: "Please keep {v} free for the wedding." },
  { value: dateLong, say: "The museum first opened on {v}.", again: "Its doors opened to the public on {v}." },
  { value: dateIso, say: "The contract ends on {v}.", again: "After {v} the contract is no longer valid." },
  { value: dateIso, say: "The backup was taken on {v}.", again: "The newest backup is from {v}." },
  { value: time, say: "The train leaves at {v} sharp.", again: "Be on the platform before {v}." },
  { value: time, say: "The meeting was moved to {v}.", again: "It now starts at {v}." },
  { value: person, say: "The new manager is {v}.", again: "Any questions can go to {v}." },
  { value: person, say: "The prize went to {v} this year.", again: "Everyone congratulated {v} afterwards." },
  { value: person, say: "The package was signed for by {v}.", again: "The receipt shows the name {v}." },
  { value: flight, say: "We are booked on flight {v} tomorrow.", again: "Check in online for flight {v}." },
  { value: flight, say: "My brother arrives on flight {v}.", again: "I will pick him up from flight {v}." },
  { value: code, say: "Your order number is {v}.", again: "Quote {v} if you call about the order." },
  { value: code, say: "The part you need is listed as {v}.", again: "Ask the store for part {v}." },
  { value: phone, say: "You can reach the front desk at {v}.", again: "Again, the number is {v}." },
  { value: decimal, say: "The patient's temperature was {v} degrees.", again: "The nurse wrote down {v} degrees." },
  { value: decimal, say: "The trail is {v} kilometres long.", again: "All in all you walk {v} kilometres." },
  { value: plate, say: "The car that was towed had the plate {v}.", again: "The plate {v} was on the tow list." },
  { value: version, say: "The bug was fixed in release {v}.", again: "Upgrade to {v} to get the fix." },
  { value: coords, say: "The buoy was last seen at {v}.", again: "The crew set a course for {v}." },
  { value: (rng) => pick(rng, CITIES), say: "The conference takes place in {v} this autumn.", again: "Flights to {v} fill up early." },
  { value: (rng) => String(int(rng, 1000, 2099)), say: "The bridge was finished in {v}.", again: "Since {v} it has carried traffic every day." },
  { value: (rng) => `${digits(rng, int(rng, 1, 2))}%`, say: "Turnout reached {v} in the last election.", again: "Nobody expected {v} turnout." },
  { value: (rng) => `Room ${digits(rng, 3)}`, say: "The exam is held in {v}.", again: "Go straight to {v} when you arrive." },
];

export const FILLERS: readonly string[] = [
  "It had been raining since the early morning.",
  "Nobody in the office seemed to mind.",
  "The coffee machine on the second floor is broken again.",
  "A few people asked about parking nearby.",
  "The weather is expected to improve by the weekend.",
  "Several emails about it arrived during lunch.",
  "The street outside was unusually quiet.",
  "Someone had left the window open all night.",
  "There was a long queue at the front desk.",
  "The old printer made a strange noise.",
  "Most of the team had already gone home.",
  "A delivery van was parked across the road.",
  "The lights in the hallway kept flickering.",
  "It was the third time this month.",
  "The cat slept on the warm windowsill.",
  "Everyone agreed that the soup was too salty.",
  "The radio played an old song nobody could name.",
  "A group of students walked past the building.",
  "The sky turned orange just before sunset.",
  "The neighbours were painting their fence.",
];
