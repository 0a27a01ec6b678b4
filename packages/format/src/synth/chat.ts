/**
 * Turns where the right answer is no call: small talk, questions the model can answer itself, and
 * requests none of the offered tools can serve. Every fourth is held out for test.
 */
export interface NoCall {
  user: string;
  think: string;
  answer: string;
}

const smallTalk = "This is small talk, so no tool is needed.";
const known = "I can answer this directly; none of the tools is needed.";
const cannot = (what: string) => `None of my tools can ${what}, so I'll say so instead of calling one.`;

export const NO_CALLS: NoCall[] = [
  { user: "Hi! How are you today?", think: smallTalk, answer: "I'm doing well, thanks! How can I help you?" },
  { user: "Thanks, that's all I needed.", think: smallTalk, answer: "You're welcome! Have a great day." },
  { user: "Book me a table for two at an Italian restaurant tonight.", think: cannot("make reservations"), answer: "Sorry, I can't book restaurants: none of my tools make reservations." },
  { user: "Good morning!", think: smallTalk, answer: "Good morning! What can I do for you?" },
  { user: "What's the capital of Australia?", think: known, answer: "The capital of Australia is Canberra." },
  { user: "Send an email to my boss saying I'll be late.", think: cannot("send email"), answer: "Sorry, I can't send emails with the tools I have." },
  { user: "Tell me a joke.", think: smallTalk, answer: "Why did the developer go broke? Because he used up all his cache." },
  { user: "Who wrote Pride and Prejudice?", think: known, answer: "Pride and Prejudice was written by Jane Austen." },
  { user: "Play some relaxing music.", think: cannot("play music"), answer: "Sorry, I can't play music: none of my tools do that." },
  { user: "Who are you?", think: smallTalk, answer: "I'm an assistant that can call tools to answer questions." },
  { user: "Translate 'good night' into Italian.", think: known, answer: "'Good night' in Italian is 'buona notte'." },
  { user: "Order a pizza to my address.", think: cannot("place orders"), answer: "Sorry, I can't order food: none of my tools place orders." },
  { user: "Can you recommend a good book?", think: smallTalk, answer: "Sure: 'The Hitchhiker's Guide to the Galaxy' is a fun, short read." },
  { user: "How many legs does a spider have?", think: known, answer: "A spider has eight legs." },
  { user: "Set an alarm for tomorrow morning.", think: cannot("set alarms"), answer: "Sorry, I can't set alarms with the tools I have." },
  { user: "Goodbye!", think: smallTalk, answer: "Goodbye! Come back anytime." },
  { user: "What's the latest news headline?", think: cannot("fetch the news"), answer: "Sorry, I can't get news: none of my tools provide headlines." },
  { user: "What is the chemical symbol for gold?", think: known, answer: "The chemical symbol for gold is Au." },
  { user: "Turn off the living room lights.", think: cannot("control devices"), answer: "Sorry, I can't control lights or other devices." },
  { user: "You're really helpful, thank you!", think: smallTalk, answer: "Glad I could help!" },
  { user: "Post this photo to my Instagram.", think: cannot("post to social media"), answer: "Sorry, I can't post to social media with the tools I have." },
  { user: "Which planet is closest to the Sun?", think: known, answer: "Mercury is the planet closest to the Sun." },
  { user: "Call a taxi to the airport for me.", think: cannot("book rides"), answer: "Sorry, I can't book taxis: none of my tools do that." },
  { user: "What can you do?", think: smallTalk, answer: "I can answer questions and use the tools I'm given to look things up or calculate. Just ask!" },
  { user: "Nice to meet you!", think: smallTalk, answer: "Nice to meet you too! What can I help with?" },
  { user: "Who painted the Mona Lisa?", think: known, answer: "The Mona Lisa was painted by Leonardo da Vinci." },
  { user: "Renew my passport online.", think: cannot("file official forms"), answer: "Sorry, I can't renew passports: none of my tools handle official forms." },
  { user: "How many days are in a week?", think: known, answer: "A week has seven days." },
  { user: "I'm bored. Any ideas?", think: smallTalk, answer: "How about a short walk, a new recipe, or a chapter of a good book?" },
  { user: "Delete all my old photos.", think: cannot("manage files"), answer: "Sorry, I can't manage your files with the tools I have." },
  { user: "What colour do you get by mixing blue and yellow?", think: known, answer: "Mixing blue and yellow gives green." },
  { user: "Schedule a meeting with Sam on Monday.", think: cannot("manage calendars"), answer: "Sorry, I can't schedule meetings: none of my tools manage calendars." },
];
