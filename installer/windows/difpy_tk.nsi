; difpy_tk per-user Windows installer (no administrator rights needed).
;
; Installs the PyInstaller onedir build into %LOCALAPPDATA%\Programs\difpy_tk, adds a
; Start-menu shortcut (and a desktop one if ticked) and an uninstaller, and registers
; itself under HKCU in "Apps & features". Shows the licences (the project's and the bundled
; components') first; refuses to replace a running copy; never downgrades silently
; (a newer installed version is kept unless the user agrees, or /ALLOWDOWNGRADE is given). Per-user because most people who need a duplicate finder cannot or
; should not elevate, and because HKCU + LOCALAPPDATA is what Windows expects from it.
;
; Built by `python build/build.py nsis` (Windows) or, to check it compiles, on Linux with
; Debian's makensis against a stand-in payload: `python build/build.py nsis --stand-in`.
;   makensis -DVERSION=0.1.0 -DSRCDIR=dist\difpy_tk -DICON=.cache\icons\difpy_tk.ico
;            -DLICENSEFILE=.cache\nsis-licence.txt
;            -DOUTFILE=dist\difpy_tk-0.1.0-windows-setup.exe installer\windows\difpy_tk.nsi
; Silent install: setup.exe /S [/DESKTOP] [/ALLOWDOWNGRADE]   (exit code 2: refused)

Unicode true
ManifestDPIAware true

!ifndef VERSION
  !error "define VERSION, e.g. -DVERSION=0.1.0"
!endif
!ifndef VERSION4
  !define VERSION4 "${VERSION}.0"
!endif
!ifndef SRCDIR
  !error "define SRCDIR: the onedir build folder holding difpy_tk.exe and _internal"
!endif
!ifndef ICON
  !error "define ICON: the .ico file"
!endif
!ifndef LICENSEFILE
  !error "define LICENSEFILE: LICENSE + THIRD-PARTY-NOTICES.txt (build.py writes it)"
!endif
!ifndef OUTFILE
  !define OUTFILE "difpy_tk-${VERSION}-windows-setup.exe"
!endif

!define APPNAME "difpy_tk"
!define EXENAME "difpy_tk.exe"
!define PUBLISHER "difpy_tk contributors"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"
!define SETTINGSKEY "Software\${APPNAME}"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "Sections.nsh"
!include "WordFunc.nsh"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${SETTINGSKEY}" "InstallDir"
SetCompressor /SOLID lzma
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${VERSION4}"
VIAddVersionKey "ProductName" "${APPNAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APPNAME} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "MIT License, ${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXENAME}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APPNAME}"

; MIT asks for no agreement: the page informs, its button says Next.
!define MUI_LICENSEPAGE_BUTTON "$(^NextBtn)"
!define MUI_LICENSEPAGE_TEXT_BOTTOM "difpy_tk is free software under the MIT licence. The bundled components' licences follow it; they are also installed in _internal\licences."
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "${LICENSEFILE}"
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; A running copy holds its executable open: writing to it then fails. Ask to close it
; rather than leave a half-replaced installation.
Function RefuseWhileRunning
  retry:
  IfFileExists "$INSTDIR\${EXENAME}" 0 done
  ClearErrors
  FileOpen $0 "$INSTDIR\${EXENAME}" a
  IfErrors running
  FileClose $0
  Goto done
  running:
  MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION \
    "${APPNAME} is running. Close it (and wait for a search to stop), then click Retry." \
    /SD IDCANCEL IDRETRY retry
  SetErrorLevel 2
  Abort "${APPNAME} is running: nothing was changed."
  done:
FunctionEnd

Section "${APPNAME} (required)" SecMain
  SectionIn RO
  Call RefuseWhileRunning
  SetOutPath "$INSTDIR"
  ; An upgrade must not leave modules of the old version beside the new ones.
  RMDir /r "$INSTDIR\_internal"
  File /r "${SRCDIR}\*"
  File "/oname=${APPNAME}.ico" "${ICON}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\${EXENAME}" "" "$INSTDIR\${APPNAME}.ico"

  WriteRegStr HKCU "${SETTINGSKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "VersionNumeric" "${VERSION4}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${APPNAME}.ico"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "$0"
SectionEnd

Section /o "Desktop shortcut" SecDesktop
  CreateShortCut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\${EXENAME}" "" "$INSTDIR\${APPNAME}.ico"
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecMain} "The app, a Start-menu shortcut and the uninstaller."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "A shortcut on the desktop."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

; An installed newer version is not replaced without a yes (or /ALLOWDOWNGRADE).
Function .onInit
  ${GetParameters} $R1
  ClearErrors
  ${GetOptions} $R1 "/DESKTOP" $R2
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecDesktop}
  ${EndIf}
  ReadRegStr $0 HKCU "${UNINSTKEY}" "VersionNumeric"
  ${If} $0 == ""
    ReadRegStr $0 HKCU "${UNINSTKEY}" "DisplayVersion"
  ${EndIf}
  ${If} $0 != ""
    ${VersionCompare} "${VERSION4}" "$0" $R0
    ${If} $R0 == 2
      ClearErrors
      ${GetOptions} $R1 "/ALLOWDOWNGRADE" $R2
      ${If} ${Errors}
        MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 \
          "A newer ${APPNAME} ($0) is installed.$\r$\nReplace it with the older version ${VERSION}?" \
          /SD IDNO IDYES downgrade_ok
        SetErrorLevel 2
        Quit
      ${EndIf}
    ${EndIf}
  ${EndIf}
  downgrade_ok:
FunctionEnd

Function un.onInit
  ; the same lock check as the installer: a running copy cannot be removed cleanly
  ${If} ${FileExists} "$INSTDIR\${EXENAME}"
    ClearErrors
    FileOpen $0 "$INSTDIR\${EXENAME}" a
    ${If} ${Errors}
      MessageBox MB_OK|MB_ICONEXCLAMATION "${APPNAME} is running. Close it, then uninstall again." /SD IDOK
      SetErrorLevel 2
      Quit
    ${EndIf}
    FileClose $0
  ${EndIf}
FunctionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$DESKTOP\${APPNAME}.lnk"
  ; Remove only what the installer put there: $INSTDIR may be a folder the user chose
  ; that holds other files. Settings and the cache (%LOCALAPPDATA%\difpy_tk) are kept.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXENAME}"
  Delete "$INSTDIR\${APPNAME}.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegKey HKCU "${SETTINGSKEY}"
SectionEnd
