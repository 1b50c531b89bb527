using System.Diagnostics;
using LgspHub.Contracts;
using LgspHub.Gateway.Requests;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace LgspHub.Gateway.Transactions;

/// <summary>When the request left for the agency and when its answer came back, set by the proxy's transforms.</summary>
public sealed class BackendExchange
{
    public long SentAt { get; set; }
    public long? AnsweredAt { get; set; }
    public int? Status { get; set; }
}

/// <summary>The transaction a request is, set first thing: the audit entries of a personal-data access name it.</summary>
public sealed record TransactionIdentity(Guid Id, DateTimeOffset RequestInAt);

/// <summary>The hub itself failed the request after the agency answered (its audit could not be stored): a failure, whatever the agency said.</summary>
public sealed record HubFailure(string FaultCode);

/// <summary>
/// Records every request that reaches the gateway, refused ones included (WSO2's lesson: refusals
/// missing from the figures make success look better than it is). Outermost in the pipeline.
/// </summary>
public sealed class TransactionRecorder(RequestDelegate next, TransactionLog log, TimeProvider clock)
{
    public const string TransactionIdHeader = HubHeaders.TransactionId;

    /// <summary>
    /// The agency's own status, on every answer the agency gave (absent when the gateway answered alone), so a
    /// consumer can tell the two apart and count outcomes exactly as the hub does (WSO2 keeps both codes too).
    /// </summary>
    public const string AgencyStatusHeader = HubHeaders.AgencyStatus;

    public async Task InvokeAsync(HttpContext context)
    {
        if (Extensions.IsHousekeeping(context.Request.Path))
        {
            await next(context);
            return;
        }

        var requestInAt = clock.GetUtcNow();
        var started = clock.GetTimestamp();
        var id = Guid.CreateVersion7(requestInAt);
        // Set as the answer starts, so a handler that clears the response (the exception handler does) cannot drop it.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[TransactionIdHeader] = id.ToString();
            return Task.CompletedTask;
        });
        context.Features.Set(new TransactionIdentity(id, requestInAt));
        var span = Activity.Current;
        span?.SetTag(TransactionTags.Id, id.ToString());

        var requestBody = new CountingStream(context.Request.Body);
        context.Request.Body = requestBody;
        var responseFeature = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var responseBody = new CountingStream(responseFeature.Stream);
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(responseBody, responseFeature));
        try
        {
            await next(context);
        }
        finally
        {
            var operation = Operation.Of(context);
            var backend = context.Features.Get<BackendExchange>();
            var (outcome, fault) = Classify(context);
            var record = new TransactionRecord
            {
                Id = id,
                TraceId = span?.TraceId.ToHexString() ?? "",
                RequestInAt = requestInAt,
                ResponseOutAt = clock.GetUtcNow(),
                Consumer = context.User.ConsumerId(),
                Service = operation?.Service ?? Operation.Unrouted,
                Operation = operation?.Name ?? Operation.Unrouted,
                Method = context.Request.Method,
                GatewayStatus = context.Response.StatusCode,
                BackendStatus = backend?.Status,
                GatewayMilliseconds = clock.GetElapsedTime(started).TotalMilliseconds,
                BackendMilliseconds = backend is { AnsweredAt: { } answered } ? clock.GetElapsedTime(backend.SentAt, answered).TotalMilliseconds : null,
                RequestBytes = requestBody.Bytes,
                ResponseBytes = responseBody.Bytes,
                Outcome = outcome,
                FaultCode = fault,
            };
            // Refusals of callers who never signed in, and requests they abandoned, are counted (the span below feeds
            // the figures and metrics) but not kept row by row: anonymous junk must not fill the records' disk.
            if (record is not { Consumer: null, Outcome: Outcome.Rejected or Outcome.Abandoned })
                log.Write(record);
            // The same outcome on the span: operators' figures are derived from the traces.
            span?.SetTag(TransactionTags.Service, record.Service)
                .SetTag(TransactionTags.Operation, record.Operation)
                .SetTag(TransactionTags.Consumer, record.Consumer)
                .SetTag(TransactionTags.Outcome, outcome.ToString())
                .SetTag(TransactionTags.Fault, fault)
                .SetTag(TransactionTags.BackendStatus, record.BackendStatus);
        }
    }

    /// <summary>The fault code of an <see cref="Outcome.Abandoned"/> request: nginx's 499, Client Closed Request.</summary>
    public const string ClientClosed = "client_closed";

    /// <summary>The outcome of the request as it stands once answered.</summary>
    public static (Outcome Outcome, string? Fault) Classify(HttpContext context) =>
        context.Features.Get<HubFailure>() is { } failure
            ? (Outcome.Failed, failure.FaultCode)
            : Classify(context.Response.StatusCode, context.Features.Get<BackendExchange>()?.Status, context.Features.Get<IForwarderErrorFeature>()?.Error,
                context.RequestAborted.IsCancellationRequested);

    /// <summary>
    /// The brief's definitions: an answer's outcome by <see cref="Outcomes.OfAnswer"/>, the rule clients count by too;
    /// before it, what only the gateway sees: an agency that failed to answer, a client that went away first.
    /// </summary>
    /// <param name="clientGone">The client's connection went away before the request ended (RequestAborted).</param>
    public static (Outcome Outcome, string? Fault) Classify(int gatewayStatus, int? backendStatus, ForwarderError? forwarderError, bool clientGone = false) =>
        (backendStatus, forwarderError) switch
        {
            // The caller hung up while the agency was asked, or while its answer was passed on: no failure of the hub
            // or the agency, and no refusal either.
            (_, ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
                or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient) => (Outcome.Abandoned, ClientClosed),
            // The body could not be read from the caller: it went away half-way, or sent a broken body (a refusal).
            (_, ForwarderError.RequestBodyClient) => clientGone ? (Outcome.Abandoned, ClientClosed) : (Outcome.Rejected, "client_error"),
            // Checked before the agency's status: an agency that dropped its answer half-way did not answer.
            (_, { } error) when error != ForwarderError.None => (Outcome.Failed, error switch
            {
                ForwarderError.RequestTimedOut => "agency_timeout",
                ForwarderError.NoAvailableDestinations => "agency_unavailable",
                ForwarderError.ResponseBodyDestination => "agency_broken_answer",
                _ => "agency_unreachable",
            }),
            ({ } status, _) => (Outcomes.OfAnswer(gatewayStatus, status), status >= 400 ? $"agency_{status}" : null),
            // The gateway answered alone, and the caller went away first (ASP.NET answers 499 to a request cancelled
            // by its caller): a failure of the hub's own is still one.
            _ when gatewayStatus == StatusCodes.Status499ClientClosedRequest || (clientGone && gatewayStatus < 500) => (Outcome.Abandoned, ClientClosed),
            _ => (Outcomes.OfAnswer(gatewayStatus, null), gatewayStatus switch
            {
                401 => "unauthorized",
                403 => "forbidden",
                404 => "no_route",
                413 => "too_large",
                429 => "rate_limited",
                >= 400 and < 500 => "bad_request",
                >= 500 => $"gateway_{gatewayStatus}",
                _ => null,
            }),
        };

    public static IReverseProxyBuilder AddBackendTiming(IReverseProxyBuilder proxy) =>
        proxy.AddTransforms(transforms =>
        {
            transforms.AddRequestTransform(context =>
            {
                context.HttpContext.Features.Set(new BackendExchange { SentAt = TimeProvider.System.GetTimestamp() });
                return ValueTask.CompletedTask;
            });
            transforms.AddResponseTransform(context =>
            {
                if (context.HttpContext.Features.Get<BackendExchange>() is { } exchange && context.ProxyResponse is { } response)
                {
                    exchange.AnsweredAt = TimeProvider.System.GetTimestamp();
                    exchange.Status = (int)response.StatusCode;
                    context.HttpContext.Response.Headers[AgencyStatusHeader] = exchange.Status.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                return ValueTask.CompletedTask;
            });
        });
}

/// <summary>Counts the bytes that pass, so records carry request and response sizes without buffering bodies.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long Bytes { get; private set; }

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        Bytes += count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        Bytes += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private int Counted(int read)
    {
        Bytes += read;
        return read;
    }
}
