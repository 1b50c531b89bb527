using System.Globalization;
using Google.Protobuf;

namespace LgspHub.Gateway.Operations;

/// <summary>One span as an OTLP exporter sent it. Status: 0 unset, 1 ok, 2 error. Kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer.</summary>
public sealed record ReceivedSpan(
    string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    long StartUnixNanos, long EndUnixNanos, int Status, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// Reads OTLP/HTTP protobuf trace exports (ExportTraceServiceRequest) with protobuf's wire reader:
/// the OTLP message classes are not published as a NuGet package, and the hub needs only a few
/// fields. Field numbers follow opentelemetry/proto/trace/v1/trace.proto.
/// </summary>
public static class OtlpTraceReader
{
    public static List<ReceivedSpan> Read(byte[] payload)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in Fields(payload, 1))
        {
            var service = Fields(resourceSpans, 1).Select(resource => Attributes(resource, 1).GetValueOrDefault("service.name")).FirstOrDefault() ?? "";
            foreach (var scopeSpans in Fields(resourceSpans, 2))
                spans.AddRange(Fields(scopeSpans, 2).Select(span => Span(service, span)));
        }
        return spans;
    }

    private static ReceivedSpan Span(string service, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        int kind = 0, status = 0;
        long start = 0, end = 0;
        var input = new CodedInputStream(span);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 4: parent = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = input.ReadEnum(); break;
                case 7: start = (long)input.ReadFixed64(); break;
                case 8: end = (long)input.ReadFixed64(); break;
                case 15: status = StatusCode(input.ReadBytes().ToByteArray()); break;
                default: input.SkipLastField(); break;
            }
        }
        return new ReceivedSpan(service, traceId, spanId, parent, name, kind, start, end, status, Attributes(span, 9));
    }

    private static int StatusCode(byte[] status)
    {
        var input = new CodedInputStream(status);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 3)
                return input.ReadEnum();
            input.SkipLastField();
        }
        return 0;
    }

    private static Dictionary<string, string> Attributes(byte[] message, int field)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in Fields(message, field))
        {
            var key = Fields(keyValue, 1).Select(b => ByteString.CopyFrom(b).ToStringUtf8()).FirstOrDefault() ?? "";
            attributes[key] = Fields(keyValue, 2).Select(AnyValue).FirstOrDefault() ?? "";
        }
        return attributes;
    }

    private static string AnyValue(byte[] anyValue)
    {
        var input = new CodedInputStream(anyValue);
        var tag = input.ReadTag();
        return WireFormat.GetTagFieldNumber(tag) switch
        {
            1 => input.ReadString(),
            2 => input.ReadBool().ToString(),
            3 => input.ReadInt64().ToString(CultureInfo.InvariantCulture),
            4 => input.ReadDouble().ToString(CultureInfo.InvariantCulture),
            _ => "",
        };
    }

    /// <summary>The payloads of every length-delimited field with this number.</summary>
    private static List<byte[]> Fields(byte[] message, int field)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                found.Add(input.ReadBytes().ToByteArray());
            else
                input.SkipLastField();
        }
        return found;
    }
}
