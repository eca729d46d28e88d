; Inno Setup 6 script for StdAward: a per-user installer in Chinese (English selectable).
;
;   python build_spec\build.py --installer        (builds the folder, self-tests it, then runs ISCC)
;   or, after a PyInstaller build:  "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" build_spec\stdaward.iss
;
; Output: build_spec\dist\StdAward-<version>-setup.exe
;
; * No administrator rights: PrivilegesRequired=lowest installs into %LOCALAPPDATA%\Programs\StdAward
;   ({userpf}) with Start-menu shortcuts under the user's own Programs folder, so an officer can
;   install from a USB stick on a locked-down office PC.
; * The version comes from pyproject.toml through generated\version.iss, which
;   build_spec\version_info.py writes (the spec runs it on every build).
; * Chinese: Inno Setup ships only its official translations, and Simplified Chinese is one of the
;   unofficial ones (kept in the Inno Setup source tree, Files\Languages\Unofficial\ChineseSimplified.isl,
;   and not installed by the Inno Setup installer). build.py --installer fetches it once into
;   build_spec\ChineseSimplified.isl; on an offline build machine copy that file there by hand.
;   The script also accepts it from the compiler's own Languages folder.
; * Uninstalling keeps the officer's data folder (%LOCALAPPDATA%\StdAward: the office database, its
;   backups and evidence files) unless the officer ticks "also delete" in the prompt, or passes
;   /DELETEDATA to a silent uninstall.

#include "generated\version.iss"

#if FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
  #define ChineseIsl AddBackslash(SourcePath) + "ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define ChineseIsl "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(CompilerPath) + "Languages\Unofficial\ChineseSimplified.isl")
  #define ChineseIsl "compiler:Languages\Unofficial\ChineseSimplified.isl"
#else
  #error ChineseSimplified.isl not found: put Inno Setup's unofficial Simplified Chinese translation in build_spec\ (see the comment at the top)
#endif

#define DistDir AddBackslash(SourcePath) + "dist\" + AppName

#if !FileExists(DistDir + "\" + AppExeName)
  #error The PyInstaller folder is missing: build it first (python build_spec\build.py)
#endif

[Setup]
AppId={{6F7C2E1A-4B8D-4C1E-9A57-5D0B8E2F3A61}
AppName={#AppDisplayName}
AppVersion={#AppVersion}
AppVerName={#AppDisplayName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersionQuad}
VersionInfoProductVersion={#AppVersionQuad}
VersionInfoDescription={#AppDisplayName} Setup
PrivilegesRequired=lowest
DefaultDirName={userpf}\{#AppName}
DefaultGroupName={#AppDisplayName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 or later
MinVersion=10.0
OutputDir=dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=..\resources\icons\stdaward.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppDisplayName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=auto
CloseApplications=yes
; a double-clicked .stdpkg package opens in StdAward's import (per user: HKA is HKCU here)
ChangesAssociations=yes

[Languages]
; Chinese first: it is the default when Windows' language matches neither
Name: "chinesesimplified"; MessagesFile: "{#ChineseIsl}"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
chinesesimplified.DeleteDataPrompt=是否同时删除本机上的 StdAward 数据？%n%n%1%n%n其中有本单位的数据库、自动备份和证明材料。删除后无法恢复；如需保留，请先用“备份”功能把数据复制到别处。%n%n选“是”删除数据，选“否”保留（以后重新安装即可继续使用）。
english.DeleteDataPrompt=Also delete StdAward's data on this computer?%n%n%1%n%nIt holds the office database, its automatic backups and evidence files. Deleting cannot be undone; use Backup first if you want a copy.%n%nYes deletes the data; No keeps it (reinstalling carries on with it).
chinesesimplified.SelfTestFailed=StdAward 安装完成，但自检未通过（代码 %1）。请在命令提示符中运行：%n%n"%2" --self-test%n%n查看是哪一项失败，并告知维护人员。
english.SelfTestFailed=StdAward is installed, but its self-test failed (code %1). Run this in a Command Prompt to see which check failed, and tell your support contact:%n%n"%2" --self-test
chinesesimplified.SelfTestRunning=正在检查安装……
english.SelfTestRunning=Checking the installation...
chinesesimplified.CliShortcut=StdAward 命令行自检
english.CliShortcut=StdAward self-test (command line)
chinesesimplified.PackageType=StdAward 数据包
english.PackageType=StdAward exchange package

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; an upgrade replaces the whole runtime folder, so no stale library from an older version lingers
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppDisplayName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"
Name: "{group}\{cm:CliShortcut}"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#AppCliName}"" --self-test"; WorkingDir: "{app}"; IconFilename: "{app}\{#AppCliName}"
Name: "{group}\{cm:UninstallProgram,{#AppDisplayName}}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppDisplayName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
; a package double-clicked in Explorer starts StdAward with it (or hands it to the StdAward window
; already open on the database), which opens it in the exchange import
Root: HKA; Subkey: "Software\Classes\.stdpkg"; ValueType: string; ValueName: ""; ValueData: "StdAward.Package"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\StdAward.Package"; ValueType: string; ValueName: ""; ValueData: "{cm:PackageType}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\StdAward.Package\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExeName},0"
Root: HKA; Subkey: "Software\Classes\StdAward.Package\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%1"""

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppDisplayName}}"; Flags: nowait postinstall skipifsilent

[Code]
function DataDir(): String;
begin
  { platformdirs' user_data_path("StdAward", appauthor=False) on Windows }
  Result := ExpandConstant('{localappdata}\{#AppDataFolder}');
end;

function HasSwitch(const Name: String): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), Name) = 0 then
      Result := True;
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Code: Integer;
  Cli: String;
begin
  if CurStep = ssPostInstall then
  begin
    { the frozen program checks itself: database, policies, a notice with the embedded font, QtPdf }
    WizardForm.StatusLabel.Caption := CustomMessage('SelfTestRunning');
    Cli := ExpandConstant('{app}\{#AppCliName}');
    if Exec(Cli, '--self-test', ExpandConstant('{app}'), SW_HIDE, ewWaitUntilTerminated, Code) then
    begin
      if (Code <> 0) and not WizardSilent() then
        MsgBox(FmtMessage(CustomMessage('SelfTestFailed'), [IntToStr(Code), Cli]), mbError, MB_OK);
    end
    else if not WizardSilent() then
      MsgBox(FmtMessage(CustomMessage('SelfTestFailed'), [SysErrorMessage(Code), Cli]), mbError, MB_OK);
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Dir: String;
  Delete: Boolean;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    Dir := DataDir();
    if not DirExists(Dir) then
      Exit;
    if UninstallSilent() then
      Delete := HasSwitch('/DELETEDATA')
    else
      Delete := MsgBox(FmtMessage(CustomMessage('DeleteDataPrompt'), [Dir]),
                       mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
    if Delete then
      DelTree(Dir, True, True, True);
  end;
end;
