using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace LgspHub.Gateway.Access;

/// <summary>
/// Holds an agency's answer in the gateway until its audit entry is stored: nothing reaches the consumer before
/// the evidence of the access exists, and the answer can be read for the people it shows. Answers of
/// personal-data operations are small (one record, or a page of at most 500); past <see cref="Limit"/> the rest is
/// not kept and <see cref="Overflowed"/> says so, and the answer is refused rather than sent unaudited.
/// </summary>
public sealed class AnswerBufferStream(IHttpResponseBodyFeature inner, int limit) : Stream, IHttpResponseBodyFeature
{
    private readonly MemoryStream _bytes = new();
    private PipeWriter? _writer;

    public IHttpResponseBodyFeature Inner => inner;

    public int Limit => limit;

    public bool Overflowed { get; private set; }

    public ReadOnlyMemory<byte> Bytes => _bytes.GetBuffer().AsMemory(0, (int)_bytes.Length);

    /// <summary>Puts the answer back on the connection, through the feature the buffer stood in for.</summary>
    public async Task ReleaseAsync(HttpContext context)
    {
        if (_writer is not null)
            await _writer.FlushAsync(context.RequestAborted);
        context.Features.Set(inner);
        if (_bytes.Length > 0)
            await inner.Stream.WriteAsync(Bytes, context.RequestAborted);
    }

    /// <summary>Drops what the agency answered: the gateway answers instead.</summary>
    public void Discard(HttpContext context) => context.Features.Set(inner);

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    void IHttpResponseBodyFeature.DisableBuffering()
    {
    }

    // The headers go out when the answer is released, not when the agency's started.
    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken) =>
        SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

    Task IHttpResponseBodyFeature.CompleteAsync() => _writer?.FlushAsync().AsTask() ?? Task.CompletedTask;

    public override void Write(byte[] buffer, int offset, int count) => Keep(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => Keep(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Keep(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_bytes.Length + bytes.Length > limit)
            Overflowed = true;
        else
            _bytes.Write(bytes);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
