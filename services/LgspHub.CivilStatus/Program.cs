using LgspHub.AgencyDefaults;
using LgspHub.CivilStatus;
using LgspHub.CivilStatus.Dossiers;
using LgspHub.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddAgencyDefaults();
builder.AddAgencyDatabase<CivilStatusDb>(CivilStatusApi.Agency);
builder.AddMessaging(CivilStatusApi.Agency);
builder.Services.Configure<DossierOptions>(builder.Configuration.GetSection(DossierOptions.Section));
builder.AddAgencyOpenApi();

var app = builder.Build();
await app.InitializeDatabaseAsync<CivilStatusDb, Registration>(CivilStatusDb.Seed);
app.MapAgencyEndpoints();
app.MapCivilStatusApi();
app.Run();
