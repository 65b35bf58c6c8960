package io.acceltel.model.series;

/**
 * A guard to run before compiling a regular expression from a query: an estimate of how many instructions RE2
 * compiles a regular expression into, checked before compiling it.
 * RE2 caps each repeat count at 1000 but not their product: {@code ((a{1000}){1000}){1000}} is 30 bytes of query
 * text and 10^9 instructions, which exhausts the heap every query and every ingest thread share. Go's regexp has
 * refused such expressions since 1.19.2 (CVE-2022-41715, "expression too large"); this is the same guard for RE2/J.
 *
 * <p>The estimate follows RE2's simplification: {@code x{n,m}} becomes {@code max(n, m)} copies of {@code x}
 * ({@code n + 1} for {@code x{n,}}), so nested counts multiply; every other atom counts as one instruction, a
 * group as two more, an alternation or quantifier as one more. RE2/J's program stays within about twice the
 * estimate (the optional tails of {@code x{n,m}}), so the limit bounds it whatever the exact count. It does not
 * validate the syntax: RE2/J reports syntax errors itself, after this check.
 */
public final class RegexSize {
  /** About 30 MB of compiled program in RE2/J (measured: 10^6 instructions take ~107 MB of heap). */
  public static final long MAX_INSTRUCTIONS = 250_000;
  /**
   * RE2/J parses a run of literal characters in quadratic time (200,000 of them: 5 s of CPU); a list of values of
   * any length is matched as a set and never compiled, so only a real pattern needs to be shorter than this.
   */
  public static final int MAX_LENGTH = 16 * 1024;
  /** Groups nested deeper than this are refused, as Go's regexp does (maxHeight), before RE2/J's recursion. */
  public static final int MAX_DEPTH = 1000;

  private final String regex;
  private int pos;

  private RegexSize(String regex) {
    this.regex = regex;
  }

  /**
   * Throws when the regex is longer than {@link #MAX_LENGTH}, or the text actually compiled would compile to more
   * than {@link #MAX_INSTRUCTIONS} or nest groups deeper than {@link #MAX_DEPTH}; the message names the limit and
   * how to stay under it.
   *
   * @param subject where the regex is, for the message: "for label gpu", "in label_replace()"
   * @param regex as the user wrote it, for the length limit
   * @param compiled the exact text handed to the compiler, anchors and wrapping group included: sized instead of
   *     {@code regex}, since a {@code )} in {@code regex} can close the wrapping group and move what follows
   * @param shorterHint how to stay under the length limit where this regex is used
   * @return the estimated instructions, at most {@link #MAX_INSTRUCTIONS}
   */
  public static long check(String subject, String regex, String compiled, String shorterHint) {
    if (regex.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("regular expression " + subject + " is " + regex.length()
          + " characters long, over the limit of " + MAX_LENGTH + "; " + shorterHint);
    }
    RegexSize scan = new RegexSize(compiled);
    long size = scan.alternation(0);
    while (scan.pos < compiled.length()) {
      // A ')' with no group open: RE2 refuses it, but sizing goes on, so that nothing after it goes uncounted.
      scan.pos++;
      size = add(size, scan.alternation(0));
    }
    if (size > MAX_INSTRUCTIONS) {
      throw new IllegalArgumentException("regular expression " + subject + " is too large: it compiles to "
          + (size == Long.MAX_VALUE ? "far more than" : "about " + size) + " instructions, over the limit of "
          + MAX_INSTRUCTIONS + ". Repeat counts multiply when nested ((a{1000}){1000} is 1000000): use + or * "
          + "instead of large counts, or select fewer values");
    }
    return size;
  }

  private long alternation(int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("regular expression nests groups more than " + MAX_DEPTH
          + " deep; write it with fewer nested parentheses");
    }
    long size = concatenation(depth);
    while (pos < regex.length() && regex.charAt(pos) == '|') {
      pos++;
      size = add(add(size, concatenation(depth)), 1);
    }
    return size;
  }

  private long concatenation(int depth) {
    long size = 0;
    while (pos < regex.length()) {
      char c = regex.charAt(pos);
      if (c == '|' || c == ')') {
        break;
      }
      size = add(size, quantified(atom(depth)));
    }
    return size;
  }

  private long atom(int depth) {
    char c = regex.charAt(pos++);
    switch (c) {
      case '(' -> {
        if (!groupPrefix()) {
          return 0; // a flag group such as (?i): no instructions
        }
        long inner = alternation(depth + 1);
        if (pos < regex.length() && regex.charAt(pos) == ')') {
          pos++;
        }
        return add(inner, 2); // a capture's two instructions
      }
      case '[' -> {
        skipClass();
        return 1;
      }
      case '\\' -> {
        return escape();
      }
      default -> {
        return 1;
      }
    }
  }

  /** After "(": skips "?:", "?i:", "?P<name>" or "?<name>"; false for a flag group "(?i)", which has no body. */
  private boolean groupPrefix() {
    if (pos >= regex.length() || regex.charAt(pos) != '?') {
      return true;
    }
    pos++;
    if (pos < regex.length() && (regex.charAt(pos) == 'P' || regex.charAt(pos) == '<')) {
      int end = regex.indexOf('>', pos);
      pos = end < 0 ? regex.length() : end + 1;
      return true;
    }
    while (pos < regex.length()) {
      char c = regex.charAt(pos++);
      if (c == ':') {
        return true;
      }
      if (c == ')') {
        return false;
      }
    }
    return false;
  }

  /** After "[": to just past the closing "]", a "]" first in the class and "[:alpha:]" included. */
  private void skipClass() {
    if (pos < regex.length() && regex.charAt(pos) == '^') {
      pos++;
    }
    if (pos < regex.length() && regex.charAt(pos) == ']') {
      pos++;
    }
    while (pos < regex.length()) {
      char c = regex.charAt(pos);
      if (c == ']') {
        pos++;
        return;
      }
      if (c == '\\') {
        pos++;
        escape();
      } else {
        int end = posixClassEnd(pos);
        pos = end > 0 ? end : pos + 1;
      }
    }
  }

  /**
   * The end of a POSIX class such as "[:alpha:]" or "[:^digit:]" starting at {@code at}, or -1. Only a whole,
   * well-formed one counts: RE2 reads "[!-[:]" as a range and ":", so a jump to some later ":]" would hide
   * everything between from the sizing.
   */
  private int posixClassEnd(int at) {
    if (!regex.startsWith("[:", at)) {
      return -1;
    }
    int i = at + 2;
    if (i < regex.length() && regex.charAt(i) == '^') {
      i++;
    }
    int nameStart = i;
    while (i < regex.length() && regex.charAt(i) >= 'a' && regex.charAt(i) <= 'z') {
      i++;
    }
    return i > nameStart && regex.startsWith(":]", i) ? i + 2 : -1;
  }

  /** After "\": "\Q...\E" counts each quoted character; "\p{Greek}" and "\x{41}" are one atom, braces included. */
  private long escape() {
    if (pos >= regex.length()) {
      return 1;
    }
    char c = regex.charAt(pos++);
    if (c == 'Q') {
      int end = regex.indexOf("\\E", pos);
      int quoted = (end < 0 ? regex.length() : end) - pos;
      pos = end < 0 ? regex.length() : end + 2;
      return Math.max(quoted, 1);
    }
    if ((c == 'p' || c == 'P' || c == 'x') && pos < regex.length() && regex.charAt(pos) == '{') {
      int end = regex.indexOf('}', pos);
      pos = end < 0 ? regex.length() : end + 1;
    } else if (c == 'p' || c == 'P') {
      pos = Math.min(pos + 1, regex.length());
    }
    return 1;
  }

  /** The atom's size under the quantifiers that follow it, if any. */
  private long quantified(long atom) {
    long size = atom;
    while (pos < regex.length()) {
      char c = regex.charAt(pos);
      if (c == '*' || c == '+' || c == '?') {
        pos++;
        size = add(size, 1);
      } else if (c == '{') {
        long copies = repeatCopies();
        if (copies < 0) {
          break; // "{" that is no repeat is a literal: the next atom
        }
        size = add(multiply(size, copies), 1);
      } else {
        break;
      }
      if (pos < regex.length() && regex.charAt(pos) == '?') {
        pos++; // non-greedy: same program
      }
    }
    return size;
  }

  /** At "{": parses "{n}", "{n,}" or "{n,m}" and returns the copies RE2 expands it to; -1 (nothing read) if none. */
  private long repeatCopies() {
    int start = pos;
    int i = pos + 1;
    int minEnd = digits(i);
    if (minEnd == i) {
      return -1;
    }
    long min = number(i, minEnd);
    i = minEnd;
    long copies = min;
    if (i < regex.length() && regex.charAt(i) == ',') {
      i++;
      int maxEnd = digits(i);
      copies = maxEnd == i ? min + 1 : Math.max(min, number(i, maxEnd));
      i = maxEnd;
    }
    if (i >= regex.length() || regex.charAt(i) != '}') {
      pos = start;
      return -1;
    }
    pos = i + 1;
    return Math.max(copies, 1);
  }

  private int digits(int from) {
    int i = from;
    while (i < regex.length() && regex.charAt(i) >= '0' && regex.charAt(i) <= '9') {
      i++;
    }
    return i;
  }

  /** A repeat count; RE2 refuses those over 1000, so anything longer saturates rather than overflows. */
  private long number(int from, int to) {
    return to - from > 9 ? Long.MAX_VALUE : Long.parseLong(regex.substring(from, to));
  }

  private static long add(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static long multiply(long a, long b) {
    return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
  }
}
