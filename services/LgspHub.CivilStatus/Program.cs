using LgspHub.CivilStatus;
using LgspHub.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAgencyDatabase<CivilStatusDb>(CivilStatusApi.Agency);
builder.AddMessaging(CivilStatusApi.Agency);
builder.Services.AddOpenApi();

var app = builder.Build();
await app.InitializeDatabaseAsync<CivilStatusDb>(CivilStatusDb.Seed);
app.MapDefaultEndpoints();
app.MapCivilStatusApi();
app.Run();
