package io.acceltel.model.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;

/**
 * Reads one YAML document the way configuration must be read: a key written twice is an error (Jackson would keep
 * the last without a word), and so is a second document with anything in it (it would be ignored). A trailing
 * {@code ---} with nothing after it, as generated or concatenated ConfigMaps have, is fine.
 *
 * <pre>{@code
 * JsonNode root = StrictYaml.read(Files.readString(file), "configuration file " + file);
 * }</pre>
 */
public final class StrictYaml {
  private StrictYaml() {}

  /**
   * The document, or null when the text holds none.
   *
   * @param what names the file in messages: "configuration file exporter.yaml"
   * @throws ConfigException naming {@code what}, the problem and its line
   */
  public static JsonNode read(String text, String what) throws ConfigException {
    YAMLFactory yaml = new YAMLFactory();
    try (JsonParser parser = yaml.createParser(text)) {
      ObjectMapper mapper = new ObjectMapper(yaml).enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
      JsonNode root = mapper.readTree(parser);
      for (JsonNode next = mapper.readTree(parser); next != null; next = mapper.readTree(parser)) {
        // isEmpty() is true of every plain value too (its size is 0): only an empty mapping or list is no content.
        boolean content = next.isContainerNode() ? !next.isEmpty() : !next.isNull() && !next.isMissingNode();
        if (content) {
          throw new ConfigException(what + " holds more than one YAML document (line "
              + parser.currentLocation().getLineNr() + "): put everything in one");
        }
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new ConfigException(what + " is not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    } catch (IOException e) {
      throw new ConfigException("cannot read " + what + ": " + e.getMessage());
    }
  }
}
