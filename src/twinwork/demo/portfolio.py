"""Portfolio samples for two demo freelancers, written for the demo, with consent to train given,
so a visitor can train a personal model from the model page straight away."""

from __future__ import annotations

DemoSample = tuple[str, str, str]
"""(title, category slug, text)"""

PORTFOLIOS: dict[str, tuple[DemoSample, ...]] = {
    "noor-haddad-lyrics": (
        (
            "Harbour Lights (verse and chorus)",
            "song-lyrics",
            "The ferry hums a lullaby, the harbour lights are blinking slow,\n"
            "I fold your letters into boats and let the midnight water go.\n"
            "Hold on, hold on, the tide remembers every name,\n"
            "and every wave that leaves the shore comes back to me the same.",
        ),
        (
            "Borrowed Road",
            "song-lyrics",
            "Sell the van and keep the song, the road was only ever borrowed,\n"
            "we sang the chorus twice as loud to drown the engine of tomorrow.\n"
            "Oh, the miles were never ours, we only kept the time,\n"
            "a map of every motel sign still folded in my mind.",
        ),
        (
            "Kitchen Radio",
            "song-lyrics",
            "Kitchen radio at dawn, your laugh between the stations,\n"
            "I would trade the city lights for one of those small conversations.\n"
            "Turn it up, turn it up, the static sounds like rain,\n"
            "and every song we half remember calls you back again.",
        ),
        (
            "Fire Escape Summer",
            "song-lyrics",
            "Paper lanterns on the fire escape, the summer hums in minor keys,\n"
            "I count the windows still awake and every one of them is me.\n"
            "Stay up, stay up, the night is young and so are we,\n"
            "a rooftop full of borrowed chairs, a skyline made of melody.",
        ),
        (
            "Salt and Honey (bridge)",
            "song-lyrics",
            "Salt on my lips from the sea you swore you'd show me,\n"
            "honey in the voice that said you'd never let me go.\n"
            "Both of them are true, and both of them are leaving,\n"
            "like the swallows on the wire when the autumn starts to blow.",
        ),
        (
            "Neon Prayer",
            "song-lyrics",
            "Neon prayer above the diner door, it flickers like a heartbeat,\n"
            "I order coffee I won't drink to keep the booth beside the street.\n"
            "Light me up, light me up, I'm tired of the dark,\n"
            "a little buzzing halo for a city with no stars.",
        ),
        (
            "Two Languages",
            "song-lyrics",
            "I dream in two languages and wake up in a third,\n"
            "my mother's lullaby, my father's every careful word.\n"
            "Sing it back, sing it back, in any tongue you know,\n"
            "the melody's the only home that follows where I go.",
        ),
        (
            "Last Train Home",
            "song-lyrics",
            "Last train home and the carriage lights are humming,\n"
            "every station sign a name I almost knew.\n"
            "Don't you wait, don't you wait, I'm already coming,\n"
            "with a pocket full of tickets and a song I wrote for you.",
        ),
    ),
    "ines-marchetti-copy": (
        (
            "Bakery radio spot",
            "copywriting",
            "Some mornings need more than coffee. They need a warm loaf with a crust that "
            "crackles when you squeeze it. Hazel's Bakery bakes sourdough at four every morning, "
            "so you don't have to. Come early, leave happy, bring a friend. Hazel's: worth "
            "getting up for.",
        ),
        (
            "Backpack product page",
            "copywriting",
            "Rain happens. Your laptop shouldn't notice. The Drift 24 is sealed at every seam, "
            "with a roll-top that shrugs off a downpour and a padded sleeve that fits a 16-inch "
            "machine. Light enough for the commute, tough enough for the weekend. Pack it, "
            "forget it, get there dry.",
        ),
        (
            "Gym launch email",
            "copywriting",
            "Subject: Your first month is on us. No contracts, no sales pitch, no judgement. "
            "Just clean equipment, coaches who remember your name and classes that start on "
            "time. Walk in this week, train for free until the end of the month, and decide "
            "after. We think you'll stay.",
        ),
        (
            "Accounting app landing page",
            "copywriting",
            "Invoices that chase themselves. Tallyfox sends the reminder, matches the payment "
            "and files the receipt while you get on with the work you actually like. Set it "
            "up in ten minutes, connect your bank in two. Your accountant will think you hired "
            "an assistant.",
        ),
        (
            "Olive oil label",
            "copywriting",
            "Pressed within six hours of picking, from one grove on one hillside above the "
            "sea. Grassy, peppery, a little bitter at the end, the way good oil should be. "
            "Pour it on bread, on tomatoes, on everything. Just don't cook with it; it has "
            "earned better.",
        ),
        (
            "Bike repair flyer",
            "copywriting",
            "Squeaky brakes? Slipping chain? Wheel with opinions? Bring it to Spoke & Sprocket "
            "before ten and ride it home after five. Honest quotes, no upselling, and a free "
            "safety check with every repair. Your bike does a lot for you. Return the favour.",
        ),
    ),
}
