"""Converting identifiers and titles between letter cases."""

SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "in", "nor", "of", "on", "or", "the", "to", "via"}
)


def split_words(text: str) -> list[str]:
    """Split an identifier or phrase into words.

    Word boundaries are non-alphanumeric characters, a lower-case letter or
    digit followed by an upper-case one, and the last capital of an acronym
    that starts a new word ("HTTPServer" -> "HTTP", "Server").
    """
    words: list[str] = []
    current = ""
    for i, ch in enumerate(text):
        if not ch.isalnum():
            if current:
                words.append(current)
                current = ""
            continue
        if current:
            prev = current[-1]
            nxt = text[i + 1] if i + 1 < len(text) else ""
            starts_word = ch.isupper() and (prev.islower() or prev.isdigit())
            ends_acronym = ch.isupper() and prev.isupper() and nxt.islower()
            if starts_word or ends_acronym:
                words.append(current)
                current = ""
        current += ch
    if current:
        words.append(current)
    return words


def snake_case(text: str) -> str:
    return "_".join(word.lower() for word in split_words(text))


def kebab_case(text: str) -> str:
    return "-".join(word.lower() for word in split_words(text))


def pascal_case(text: str) -> str:
    return "".join(word[:1].upper() + word[1:].lower() for word in split_words(text))


def camel_case(text: str) -> str:
    pascal = pascal_case(text)
    return pascal[:1].lower() + pascal[1:]


def title_case(text: str) -> str:
    """Capitalise a title, keeping short connecting words in lower case.

    The first and the last word are always capitalised.
    """
    words = text.split()
    titled = []
    for i, word in enumerate(words):
        if 0 < i < len(words) - 1 and word.lower() in SMALL_WORDS:
            titled.append(word.lower())
        else:
            titled.append(word[:1].upper() + word[1:])
    return " ".join(titled)
