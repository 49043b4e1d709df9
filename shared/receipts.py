"""Receipt codes: the one code a person who raised a concern reads, writes down and types.

A code is nine random characters and a check character, shown in two groups of five
(``7KQM4-TX9RB``). The alphabet has no character that reads like another (no 0/O, no 1/I/L),
so it is 31 characters long, a prime: the check character makes the weighted sum
``sum(i * value(char_i) for i in 1..10)`` zero modulo 31, which catches every single wrong
character (``i * d`` is never 0 mod a prime) and every swap of two neighbours (it changes the
sum by ``d``). The nine characters come from ``secrets``: nothing in a code says when, where or
in which order it was made (31**9, about 2.6e13 codes). Example::

    code = new_code()                 # "7KQM4-TX9RB"
    read("7kqm4 tx9rb")               # "7KQM4-TX9RB" (spaces, dashes and case forgiven)
    read("7KQM4-TX9R3")               # raises MistypedCode: "kiểm tra lại mã"
"""
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, a prime
DATA_LENGTH = 9
LENGTH = DATA_LENGTH + 1
GROUP = 5
# what a person may type between or around the characters
_SEPARATORS = " -\t."
_VALUE = {char: value for value, char in enumerate(ALPHABET)}


class MistypedCode(ValueError):
    """Not a code: the wrong length, a character outside the alphabet, or a check character
    that does not match. It says which, never whether any code exists."""


def check_character(data):
    """The character completing ``data`` (nine alphabet characters) to a valid code."""
    total = sum(position * _VALUE[char] for position, char in enumerate(data, start=1))
    # LENGTH * check = -total (mod BASE); LENGTH is invertible since BASE is prime
    return ALPHABET[(-total * pow(LENGTH, -1, BASE)) % BASE]


def new_code(choose=secrets.choice):
    """A fresh code, grouped for reading (``choose``: the random pick, a test's to replace)."""
    data = "".join(choose(ALPHABET) for _ in range(DATA_LENGTH))
    return grouped(data + check_character(data))


def grouped(code):
    """``7KQM4TX9RB`` as people read it: ``7KQM4-TX9RB``."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def read(typed):
    """The code as stored (grouped) from what a person typed; MistypedCode when it is not one."""
    if not isinstance(typed, str) or len(typed) > 4 * LENGTH:
        raise MistypedCode("not a code")
    code = "".join(char for char in typed.upper() if char not in _SEPARATORS)
    if len(code) != LENGTH:
        raise MistypedCode(f"a code has {LENGTH} characters")
    if any(char not in _VALUE for char in code):
        raise MistypedCode("a character no code has")
    if check_character(code[:DATA_LENGTH]) != code[-1]:
        raise MistypedCode("the check character does not match")
    return grouped(code)


def is_code(typed):
    try:
        read(typed)
    except MistypedCode:
        return False
    return True
