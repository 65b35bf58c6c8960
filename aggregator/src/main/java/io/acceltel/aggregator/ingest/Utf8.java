package io.acceltel.aggregator.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of names and label values. Almost every label is ASCII, which takes a fast path; other
 * bytes go through a strict decoder, so invalid UTF-8 is refused instead of silently replaced.
 */
final class Utf8 {
  private Utf8() {}

  static String decode(byte[] buf, int from, int to, String what) throws PoisonRecordException {
    boolean ascii = true;
    for (int i = from; i < to; i++) {
      if (buf[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buf, from, to - from)).toString();
    } catch (CharacterCodingException e) {
      throw new PoisonRecordException(PoisonKind.BAD_LABELS, what + " is not valid UTF-8");
    }
  }
}
