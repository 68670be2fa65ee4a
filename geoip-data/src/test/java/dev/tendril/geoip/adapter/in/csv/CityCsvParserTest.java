package dev.tendril.geoip.adapter.in.csv;

import dev.tendril.geoip.domain.GeoEntry;
import dev.tendril.protocol.net.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CityCsvParserTest {
    private final CityCsvParser parser = new CityCsvParser();

    private CityCsvParser.Result parse(String... lines) {
        return parser.parse("in.csv", List.of(lines));
    }

    private List<String> problems(String... lines) {
        return assertInstanceOf(CityCsvParser.Rejected.class, parse(lines)).problems();
    }

    @Test
    void readsRowsSkippingCommentsAndBlankLines() {
        var parsed = assertInstanceOf(CityCsvParser.Parsed.class, parse(
                "# a comment before the header", "", "cidr,lat,lon,city,country",
                "10.0.0.0/8,48.1374,11.5755,Munich,DE", "  # indented comment", "",
                "2001:db8::/32,-33.8688,151.2093,\"Sydney, NSW\",AU",
                "192.168.0.0/16,0,0,,"));
        List<GeoEntry> e = parsed.entries();
        assertEquals(3, e.size());
        assertEquals(Cidr.parse("10.0.0.0/8"), e.get(0).network());
        assertEquals(48.1374, e.get(0).point().latitude());
        assertEquals("Munich", e.get(0).city());
        assertEquals("Sydney, NSW", e.get(1).city());
        assertEquals("AU", e.get(1).country());
        assertEquals("", e.get(2).city());
        assertEquals("", e.get(2).country());
    }

    @Test
    void acceptsHeaderWithSpacesAndUpperCaseAndAByteOrderMark() {
        assertInstanceOf(CityCsvParser.Parsed.class, parse("\uFEFFCIDR, lat, lon, city, country", "10.0.0.0/8,1,2,X,DE"));
    }

    @Test
    void quotedFieldsMayHoldQuotes() {
        var parsed = assertInstanceOf(CityCsvParser.Parsed.class,
                parse("cidr,lat,lon,city,country", "10.0.0.0/8,1,2,\"The \"\"Big\"\" Apple\",US"));
        assertEquals("The \"Big\" Apple", parsed.entries().get(0).city());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/33,1,2,X,DE                | in.csv:2: bad prefix length in network '10.0.0.0/33': allowed is 0-32 for IPv4",
        "2001:db8::/129,1,2,X,DE             | in.csv:2: bad prefix length in network '2001:db8::/129': allowed is 0-128 for IPv6",
        "10.0.0.256/24,1,2,X,DE              | in.csv:2: bad network '10.0.0.256/24'",
        "example.com/24,1,2,X,DE             | in.csv:2: bad network 'example.com/24'",
        "10.1.2.3/8,1,2,X,DE                 | in.csv:2: network '10.1.2.3/8' has host bits set: allowed is the network address, i.e. 10.0.0.0/8",
        "10.0.0.0,1,2,X,DE                   | in.csv:2: network '10.0.0.0' has no prefix length",
        "::ffff:10.0.0.0/104,1,2,X,DE        | in.csv:2: network '::ffff:10.0.0.0/104' is an IPv4-mapped IPv6 network",
        "::10.0.0.0/104,1,2,X,DE             | in.csv:2: network '::10.0.0.0/104' lies in ::/96 or ::ffff:0:0/96",
        "::1/128,1,2,X,DE                    | in.csv:2: network '::1/128' lies in ::/96 or ::ffff:0:0/96",
        "10.0.0.0/8,90.5,2,X,DE              | in.csv:2: latitude '90.5' is out of range: allowed is -90 to 90 degrees",
        "10.0.0.0/8,-91,2,X,DE               | in.csv:2: latitude '-91' is out of range",
        "10.0.0.0/8,1,180.01,X,DE            | in.csv:2: longitude '180.01' is out of range: allowed is -180 to 180 degrees",
        "10.0.0.0/8,north,2,X,DE             | in.csv:2: latitude 'north' is not a decimal number",
        "10.0.0.0/8,NaN,2,X,DE               | in.csv:2: latitude 'NaN' is not a decimal number",
        "10.0.0.0/8,1e1,2,X,DE               | in.csv:2: latitude '1e1' is not a decimal number",
        "10.0.0.0/8,,2,X,DE                  | in.csv:2: latitude '' is not a decimal number",
        "10.0.0.0/8,1,2,X,Germany            | in.csv:2: country 'Germany' is not allowed: use an ISO 3166-1 alpha-2 code",
        "10.0.0.0/8,1,2,X,de                 | in.csv:2: country 'de' is not allowed",
        "10.0.0.0/8,1,2,X                    | in.csv:2: expected 5 fields (cidr,lat,lon,city,country), got 4",
        "10.0.0.0/8,1,2,X,DE,extra           | in.csv:2: expected 5 fields (cidr,lat,lon,city,country), got 6",
        "10.0.0.0/8,1,2,\"X,DE               | in.csv:2: unterminated quote",
    })
    void namesFileLineBadValueAndWhatIsAllowed(String row, String expectedStart) {
        List<String> p = problems("cidr,lat,lon,city,country", row);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith(expectedStart.strip()), () -> "got: " + p.get(0));
    }

    @Test
    void sameNetworkTwiceNamesBothLines() {
        List<String> p = problems("cidr,lat,lon,city,country", "10.0.0.0/8,1,2,A,DE", "# x", "10.0.0.0/8,3,4,B,DE");
        assertEquals(List.of("in.csv:4: network 10.0.0.0/8 is already listed on line 2; each network may appear once"
                + " (a more specific network inside it is allowed and wins)"), p);
    }

    @Test
    void overlappingNetworksOfDifferentLengthAreAllowed() {
        assertInstanceOf(CityCsvParser.Parsed.class,
                parse("cidr,lat,lon,city,country", "10.0.0.0/8,1,2,A,DE", "10.1.0.0/16,3,4,B,DE", "0.0.0.0/0,0,0,,"));
    }

    @Test
    void missingOrWrongHeaderIsReported() {
        assertEquals(List.of("in.csv:1: empty file: expected the header line 'cidr,lat,lon,city,country'"), problems("# only"));
        assertEquals("in.csv:1: expected the header line 'cidr,lat,lon,city,country', got '10.0.0.0/8,1,2,A,DE'",
                problems("10.0.0.0/8,1,2,A,DE").get(0));
    }

    @Test
    void reportsEveryBadLine() {
        List<String> p = problems("cidr,lat,lon,city,country", "10.0.0.0/8,95,2,A,DE", "10.1.0.0/16,1,2,A,DE",
                "10.2.0.1/16,1,2,A,DE");
        assertEquals(2, p.size());
        assertTrue(p.get(0).startsWith("in.csv:2: "));
        assertTrue(p.get(1).startsWith("in.csv:4: "));
    }

    @Test
    void missingFileIsAProblemNotAnException() {
        var p = assertInstanceOf(CityCsvParser.Rejected.class, parser.parse(Path.of("no/such/file.csv"))).problems();
        assertTrue(p.get(0).startsWith("no/such/file.csv: cannot read"), p.get(0));
    }
}
