using Google.Protobuf;

namespace LgspHub.Gateway.Tests;

/// <summary>An OTLP/HTTP trace export (ExportTraceServiceRequest) written field by field, as an exporter sends it.</summary>
internal static class OtlpPayload
{
    public sealed record Span(string TraceId, string SpanId, string Name, params (string Key, string Value)[] Attributes);

    /// <summary>Spans of a second that ended now.</summary>
    public static byte[] Traces(string service, params Span[] spans)
    {
        var end = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        return Message(request => Field(request, 1, Message(resourceSpans =>
        {
            Field(resourceSpans, 1, Message(resource => Field(resource, 1, KeyValue("service.name", service))));
            Field(resourceSpans, 2, Message(scopeSpans =>
            {
                foreach (var span in spans)
                    Field(scopeSpans, 2, Message(s =>
                    {
                        Field(s, 1, Convert.FromHexString(span.TraceId));
                        Field(s, 2, Convert.FromHexString(span.SpanId));
                        s.WriteTag(5, WireFormat.WireType.LengthDelimited);
                        s.WriteString(span.Name);
                        s.WriteTag(6, WireFormat.WireType.Varint);
                        s.WriteEnum(1);
                        s.WriteTag(7, WireFormat.WireType.Fixed64);
                        s.WriteFixed64(end - 1_000_000_000);
                        s.WriteTag(8, WireFormat.WireType.Fixed64);
                        s.WriteFixed64(end);
                        foreach (var (key, value) in span.Attributes)
                            Field(s, 9, KeyValue(key, value));
                    }));
            }));
        })));
    }

    private static byte[] KeyValue(string key, string value) => Message(kv =>
    {
        kv.WriteTag(1, WireFormat.WireType.LengthDelimited);
        kv.WriteString(key);
        Field(kv, 2, Message(any =>
        {
            any.WriteTag(1, WireFormat.WireType.LengthDelimited);
            any.WriteString(value);
        }));
    });

    private static void Field(CodedOutputStream output, int number, byte[] payload)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
            write(output);
        return buffer.ToArray();
    }
}
